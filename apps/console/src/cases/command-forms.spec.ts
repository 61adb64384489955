import { OPERATIONS } from '@sanksi/client';
import { commandBody, COMMAND_FORMS, formsFor } from './command-forms';

describe('command forms from the machine’s next events', () => {
  it('given the events a blocked case may take, then one form each for the commanded ones, fine forms only with an open fine', () => {
    const events = ['AccessBlocked', 'DeadlineElapsed', 'AccessRestored', 'FinePaid', 'PolicyMigrated'];
    expect(formsFor(events, false).map((f) => f.command)).toEqual([
      'BlockAccess',
      'RestoreAccess',
      'MigratePolicy',
    ]);
    expect(formsFor(events, true).map((f) => f.command)).toEqual([
      'BlockAccess',
      'RestoreAccess',
      'RecordFinePayment',
      'MigratePolicy',
    ]);
  });

  it('given typed values, then the body has integer rupiah, a domain list, WIB instants, and no empty optionals', () => {
    expect(
      commandBody(COMMAND_FORMS.FineImposed, {
        decisionNumber: ' KEP-1/2023 ',
        amountIdr: '60.000.000',
        occurredAt: '',
      }),
    ).toEqual({ route: 'fines', body: { decisionNumber: 'KEP-1/2023', amountIdr: 60_000_000 } });
    expect(
      commandBody(COMMAND_FORMS.AccessBlocked, {
        orderNumber: 'ORD-1',
        domains: 'a.id, b.id',
        occurredAt: '2022-08-06T09:30',
      }),
    ).toEqual({
      route: 'blocks',
      body: { orderNumber: 'ORD-1', domains: ['a.id', 'b.id'], occurredAt: '2022-08-06T09:30:00+07:00' },
    });
    expect(commandBody(COMMAND_FORMS.AccessBlocked, { orderNumber: 'ORD-1', domains: '' }).body).toEqual({
      orderNumber: 'ORD-1',
    });
    expect(commandBody(COMMAND_FORMS.AccessRestored, { reason: 'r', override: false }).body).toEqual({
      reason: 'r',
    });
  });

  it('given a payment, then the fine id goes into the route, not the body', () => {
    expect(
      commandBody(COMMAND_FORMS.FinePaid, { fineId: 'fine/1', amountIdr: '20000000', reference: 'TRX-9' }),
    ).toEqual({
      route: 'fines/fine%2F1/payments',
      body: { amountIdr: 20_000_000, reference: 'TRX-9' },
      fineId: 'fine/1',
    });
  });

  it('given every form, then its operation is the POST of its route in the API document the client is generated from', () => {
    for (const form of Object.values(COMMAND_FORMS)) {
      expect([form.command, OPERATIONS[form.operation]]).toEqual([
        form.command,
        { method: 'post', path: `/v1/cases/{pseId}/${form.route}` },
      ]);
    }
  });
});
