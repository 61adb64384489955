import {
  at,
  blockedCase,
  identify,
  runCommands,
  warnedCase,
  type TimedCommand,
} from './__fixtures__/pse-case.fixtures';
import { draftEnvelope } from './pse-case.envelope';
import type { PolicyId, PseCaseEventData } from './pse-case.events';
import { evolve, initialCaseSnapshot, stateOf, type PseCaseSnapshot } from './pse-case.fold';

// The statechart's own guards (pse-case.machine.ts), asked directly with recorded events as a store
// would replay them: the decider checks most of these first, but a history folded from storage meets
// only the machine, which must refuse (return the very same snapshot) what the regulation rules out.
function replay(snapshot: PseCaseSnapshot, draft: PseCaseEventData, occurredAt: string, policy: PolicyId) {
  const envelope = draftEnvelope(
    draft,
    snapshot,
    snapshot.context.pseId || 'x',
    {
      commandId: 'replayed',
      correlationId: 'replayed',
      causationId: null,
      actor: { id: 'siti', role: 'operator' },
      now: occurredAt,
      occurredAt,
    },
    'replayed-0',
    policy,
  );
  return evolve(snapshot, envelope);
}

const when = '2022-08-10T09:00:00+07:00';
const snapshotAfter = (commands: TimedCommand[], policy: PolicyId = 'kominfo-2022') =>
  runCommands(commands, policy).snapshot;

describe('guards on any state', () => {
  it('given no case, then a profile update or a migration is refused', () => {
    const absent = initialCaseSnapshot();
    expect(replay(absent, { type: 'PseProfileUpdated', data: { name: 'n' } }, when, 'kominfo-2022')).toBe(
      absent,
    );
    expect(
      replay(
        absent,
        { type: 'PolicyMigrated', data: { from: 'kominfo-2022', to: 'pp43-2023', reason: 'r' } },
        when,
        'pp43-2023',
      ),
    ).toBe(absent);
  });

  it('given an identified case, then a profile update applies', () => {
    const identified = snapshotAfter([at('2022-07-18T09:00', identify('i'))]);
    const next = replay(identified, { type: 'PseProfileUpdated', data: { name: 'n' } }, when, 'kominfo-2022');
    expect(next.context.name).toBe('n');
  });

  it('given a warning running, then an elapse of another kind or for a fine is refused', () => {
    const warned = snapshotAfter(warnedCase('w'));
    const elapse = (deadline: 'warningResponse' | 'suspensionResponse', fineId: string | null) =>
      replay(
        warned,
        { type: 'DeadlineElapsed', data: { deadline, dueAt: '2022-07-29T23:59:59+07:00', fineId } },
        when,
        'kominfo-2022',
      );
    expect(elapse('suspensionResponse', null)).toBe(warned);
    expect(elapse('warningResponse', 'F1')).toBe(warned);
    expect(stateOf(elapse('warningResponse', null)).state).toBe('warned');
    expect(elapse('warningResponse', null).context.escalation).toEqual({
      pending: true,
      allowed: ['BlockAccess'],
    });
  });
});

describe('fineOpen: payments and annulments', () => {
  const fined = (extra: TimedCommand[] = []) =>
    snapshotAfter(
      [
        ...warnedCase('f', 'pp43-2023'),
        at('2022-07-30T09:00', {
          type: 'ImposeFine',
          pseId: 'f',
          decisionNumber: 'D-1',
          amountIdr: 10_000_000,
        }),
        ...extra,
      ],
      'pp43-2023',
    );
  const pay = (snapshot: PseCaseSnapshot, fineId: string, amountIdr: number) =>
    replay(snapshot, { type: 'FinePaid', data: { fineId, amountIdr, reference: 'P' } }, when, 'pp43-2023');
  const annul = (snapshot: PseCaseSnapshot, fineId: string) =>
    replay(snapshot, { type: 'FineAnnulled', data: { fineId, reason: 'appeal' } }, when, 'pp43-2023');

  it('given an open fine, then a payment up to the outstanding amount applies, a rupiah more does not', () => {
    const open = fined();
    expect(pay(open, 'F1', 10_000_000).context.fines.F1.paidIdr).toBe(10_000_000);
    expect(pay(open, 'F1', 10_000_001)).toBe(open);
  });

  it('given no such fine, then neither a payment nor an annulment applies', () => {
    const open = fined();
    expect(pay(open, 'F2', 1)).toBe(open);
    expect(annul(open, 'F2')).toBe(open);
  });

  it('given an annulled fine, then nothing more applies to it', () => {
    const annulled = fined([
      at('2022-08-01T09:00', { type: 'AnnulFine', pseId: 'f', fineId: 'F1', reason: 'appeal' }),
    ]);
    expect(pay(annulled, 'F1', 1)).toBe(annulled);
    expect(annul(annulled, 'F1')).toBe(annulled);
  });

  it('given a fine paid in full, then neither a payment nor an annulment applies', () => {
    const paid = fined([
      at('2022-08-01T09:00', {
        type: 'RecordFinePayment',
        pseId: 'f',
        fineId: 'F1',
        amountIdr: 10_000_000,
        reference: 'P',
      }),
    ]);
    expect(pay(paid, 'F1', 1)).toBe(paid);
    expect(annul(paid, 'F1')).toBe(paid);
  });

  it('given an open fine, then an annulment applies whatever was paid', () => {
    const partly = fined([
      at('2022-08-01T09:00', {
        type: 'RecordFinePayment',
        pseId: 'f',
        fineId: 'F1',
        amountIdr: 1,
        reference: 'P',
      }),
    ]);
    expect(annul(partly, 'F1').context.fines.F1).toMatchObject({ annulled: true, annulledIdr: 9_999_999 });
  });
});

describe('restorations by cause', () => {
  const restore = (
    snapshot: PseCaseSnapshot,
    cause: 'operator' | 'submission' | 'registration' | 'exemption',
  ) => replay(snapshot, { type: 'AccessRestored', data: { reason: 'r', cause } }, when, 'kominfo-2022');

  it('given an enforced block, then only the operator restores access; other causes ride on their own events', () => {
    const blocked = snapshotAfter(blockedCase('b'));
    expect(stateOf(restore(blocked, 'operator')).state).toBe('unregistered');
    expect(restore(blocked, 'submission')).toBe(blocked);
    expect(restore(blocked, 'registration')).toBe(blocked);
    expect(restore(blocked, 'exemption')).toBe(blocked);
  });

  it('given a pending submission, then only a normalisation on submission applies', () => {
    const pending = snapshotAfter([
      at('2022-07-18T09:00', identify('p')),
      at('2022-07-19T09:00', { type: 'SubmitRegistration', pseId: 'p', channel: 'oss' }),
    ]);
    expect(restore(pending, 'operator')).toBe(pending);
    expect(restore(pending, 'registration')).toBe(pending);
    expect(stateOf(restore(pending, 'submission')).state).toBe('registrationPending');
  });

  it('given an exempted case, then only the exemption’s restoration applies', () => {
    const exempted = snapshotAfter([
      at('2022-07-18T09:00', identify('e')),
      at('2022-07-19T09:00', { type: 'GrantExemption', pseId: 'e', reason: 'x' }),
    ]);
    expect(restore(exempted, 'operator')).toBe(exempted);
    expect(restore(exempted, 'submission')).toBe(exempted);
    expect(stateOf(restore(exempted, 'exemption')).state).toBe('exempted');
  });

  it('given a re-registered case, then only the registration’s restoration applies', () => {
    const reRegistered = snapshotAfter([
      ...blockedCase('r'),
      at('2022-08-03T09:00', {
        type: 'ConfirmRegistration',
        pseId: 'r',
        registrationNumber: '000123.01/DJAI.PSE/07/2022',
      }),
    ]);
    expect(stateOf(reRegistered).state).toBe('reRegistered');
    expect(restore(reRegistered, 'operator')).toBe(reRegistered);
    expect(restore(reRegistered, 'registration')).not.toBe(reRegistered);
  });
});
