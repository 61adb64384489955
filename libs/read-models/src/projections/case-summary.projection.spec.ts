import { toReadModelEvent } from '../events/read-model-event';
import { GlobalLog } from '../testing/case-history.fixture';
import { type CaseSummaryRow, projectCaseSummary } from './case-summary.projection';

describe('projectCaseSummary', () => {
  it('given a warned then blocked case, when folded, then the row follows the recorded state', () => {
    const c = new GlobalLog().case('paypal', {
      name: 'PayPal',
      domains: ['paypal.com'],
      company: 'PayPal Pte',
    });
    const events = [
      c.identified('2022-07-21T09:00:00+07:00'),
      c.warned('2022-07-25T09:00:00+07:00', 'W-1', '2022-07-29T23:59:00+07:00'),
      c.deadlineElapsed('2022-07-30T00:00:00+07:00', ['BlockAccess']),
      c.blocked('2022-07-30T10:00:00+07:00', '123/2022'),
    ].map(toReadModelEvent);
    const states: Array<CaseSummaryRow | undefined> = [];
    let row: CaseSummaryRow | undefined;
    for (const e of events) {
      row = projectCaseSummary(row, e);
      states.push(row);
    }
    expect(states[2]).toMatchObject({
      escalationPending: true,
      escalationAllowed: ['BlockAccess'],
      escalationSince: '2022-07-29T17:00:00.000Z',
    });
    expect(row).toMatchObject({
      pseId: 'paypal',
      name: 'PayPal',
      company: 'PayPal Pte',
      state: 'blocked',
      substate: 'enforced',
      stateSince: '2022-07-30T03:00:00.000Z',
      onBlocklist: true,
      warnings: 1,
      blocks: 1,
      version: 4,
      lastPosition: 4,
      lastEventType: 'AccessBlocked',
      openedAt: '2022-07-21T02:00:00.000Z',
      updatedAt: '2022-07-30T03:00:00.000Z',
      escalationPending: false,
      escalationSince: null,
      nextDeadlineAt: null,
    });
  });

  it('given a pending escalation, when another event keeps it pending, then its start is kept', () => {
    const c = new GlobalLog().case('x');
    const a = toReadModelEvent(c.identified('2022-07-21T09:00:00+07:00'));
    c.warned('2022-07-22T09:00:00+07:00', 'W', '2022-07-28T00:00:00+07:00');
    const elapsed = toReadModelEvent(c.deadlineElapsed('2022-07-28T00:00:00+07:00', ['BlockAccess']));
    const update = toReadModelEvent(
      c.profileUpdated('2022-07-29T00:00:00+07:00', ['x.example', 'y.example']),
    );
    const row = [a, elapsed, update].reduce<CaseSummaryRow | undefined>(
      (r, e) => projectCaseSummary(r, e),
      undefined,
    );
    expect(row?.escalationSince).toBe('2022-07-27T17:00:00.000Z');
    expect(row?.domains).toEqual(['x.example', 'y.example']);
  });

  it('given a case identified with app ids and IPs and no domain, when folded, then the row carries them; a case with none has empty lists', () => {
    const log = new GlobalLog();
    const app = log.case('bank-app', {
      domains: [],
      appIds: ['com.bank.mobile'],
      ipAddresses: ['13.227.254.72'],
    });
    const plain = log.case('shop');
    const appRow = projectCaseSummary(
      undefined,
      toReadModelEvent(app.identified('2022-07-21T09:00:00+07:00')),
    );
    expect(appRow).toMatchObject({
      domains: [],
      appIds: ['com.bank.mobile'],
      ipAddresses: ['13.227.254.72'],
    });
    const updated = projectCaseSummary(
      appRow,
      toReadModelEvent(app.addressesUpdated('2022-07-22T09:00:00+07:00', { ipAddresses: ['8.8.4.4'] })),
    );
    expect(updated).toMatchObject({ appIds: ['com.bank.mobile'], ipAddresses: ['8.8.4.4'] });
    const plainRow = projectCaseSummary(
      undefined,
      toReadModelEvent(plain.identified('2022-07-21T09:00:00+07:00')),
    );
    expect(plainRow).toMatchObject({ appIds: [], ipAddresses: [] });
  });

  it('given a fined case, when folded, then fine totals and the next deadline come from the state', () => {
    const c = new GlobalLog().case('f');
    c.identified('2023-01-02T09:00:00+07:00');
    c.warned('2023-01-03T09:00:00+07:00', 'W', '2023-01-10T23:59:00+07:00');
    const fined = toReadModelEvent(
      c.fined('2023-01-12T09:00:00+07:00', 'F1', 5_000_000, '2023-02-12T23:59:00+07:00'),
    );
    const row = projectCaseSummary(undefined, fined);
    expect(row).toMatchObject({
      finesImposedIdr: 5_000_000,
      finesOutstandingIdr: 5_000_000,
      nextDeadlineKind: 'finePayment',
      nextDeadlineAt: '2023-02-12T16:59:00.000Z',
      nextDeadlineFineId: 'F1',
    });
  });
});
