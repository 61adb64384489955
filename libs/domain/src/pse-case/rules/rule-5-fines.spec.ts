import { deciderSpec } from '@sanksi/testing';
import { at, caseDecider, warnedCase } from '../__fixtures__/pse-case.fixtures';
import type { TransitionRefused, ValidationFailed } from '../pse-case.errors';

// docs/regulation.md §12.5: fines are whole rupiah, tracked per fine (payments, annulments); an outstanding
// balance survives re-registration.
describe('rule 5: fines per id', () => {
  const spec = deciderSpec(caseDecider('pp43-2023'));
  const fined = [
    ...warnedCase('x', 'pp43-2023'),
    at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'warningResponse' }),
    at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'x', decisionNumber: 'D-1', amountIdr: 10_000_000 }),
    at('2022-07-30T10:00', { type: 'ImposeFine', pseId: 'x', decisionNumber: 'D-2', amountIdr: 4_000_000 }),
  ] as const;

  it('assigns fine ids deterministically and totals them', () => {
    const given = spec.givenCommands([...fined]);
    expect(given.events.filter((e) => e.type === 'FineImposed').map((e) => e.data)).toMatchObject([
      { fineId: 'F1' },
      { fineId: 'F2' },
    ]);
    expect(given.state.context.fines.F1.amountIdr).toBe(10_000_000);
  });

  it('records partial payments and refuses overpayment', () => {
    const given = spec.givenCommands([...fined]).andCommands([
      at('2022-08-01T09:00', {
        type: 'RecordFinePayment',
        pseId: 'x',
        fineId: 'F1',
        amountIdr: 6_000_000,
        reference: 'P1',
      }),
    ]);
    expect(given.events[given.events.length - 1].state.fines).toEqual({
      imposedIdr: 14_000_000,
      paidIdr: 6_000_000,
      annulledIdr: 0,
      outstandingIdr: 8_000_000,
    });
    given
      .when(
        at('2022-08-02T09:00', {
          type: 'RecordFinePayment',
          pseId: 'x',
          fineId: 'F1',
          amountIdr: 4_000_001,
          reference: 'P2',
        }),
      )
      .thenRefused((error) =>
        expect((error as TransitionRefused).reason).toContain('exceeds the 4000000 rupiah outstanding'),
      );
  });

  it('annuls the unpaid rest of a fine and refuses payments on it afterwards', () => {
    spec
      .givenCommands([
        ...fined,
        at('2022-08-01T09:00', {
          type: 'RecordFinePayment',
          pseId: 'x',
          fineId: 'F2',
          amountIdr: 1_000_000,
          reference: 'P1',
        }),
        at('2022-10-01T09:00', { type: 'AnnulFine', pseId: 'x', fineId: 'F2', reason: 'appeal upheld' }),
      ])
      .when(
        at('2022-10-02T09:00', {
          type: 'RecordFinePayment',
          pseId: 'x',
          fineId: 'F2',
          amountIdr: 1,
          reference: 'P2',
        }),
      )
      .thenRefused((error) => expect((error as TransitionRefused).reason).toContain('annulled'));
  });

  it('keeps the outstanding balance after re-registration', () => {
    spec
      .givenCommands([...fined])
      .when(
        at('2022-08-03T09:00', {
          type: 'ConfirmRegistration',
          pseId: 'x',
          registrationNumber: '000001.01/DJAI.PSE/08/2022',
        }),
      )
      .then(([confirmed]) => {
        expect(confirmed.state.state).toBe('reRegistered');
        expect(confirmed.state.fines.outstandingIdr).toBe(14_000_000);
        expect(confirmed.state.deadlines.map((d) => d.kind)).toEqual(['finePayment', 'finePayment']);
      });
  });

  it('refuses an amount outside the policy schedule', () => {
    spec
      .givenCommands([
        ...warnedCase('x', 'pp43-2023'),
        at('2022-07-30T00:00', { type: 'ElapseDeadline', pseId: 'x', deadline: 'warningResponse' }),
      ])
      .when(at('2022-07-30T09:00', { type: 'ImposeFine', pseId: 'x', decisionNumber: 'D', amountIdr: 10 }))
      .thenRefused((error) => expect((error as ValidationFailed).code).toBe('VALIDATION_FAILED'));
  });
});
