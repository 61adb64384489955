import { elapseKey } from './deadline-key';

describe('deadline keys', () => {
  it('give one id per deadline whatever offset its due time is written with', () => {
    // given the same instant written in WIB and in UTC
    const wib = {
      pseId: 'paypal',
      kind: 'warningResponse',
      fineId: null,
      dueAt: '2022-07-29T23:59:59+07:00',
    };
    const utc = { ...wib, dueAt: '2022-07-29T16:59:59.000Z' };
    // when both are keyed
    // then the keys are equal and name the case, kind, absent fine and UTC due time
    expect(elapseKey(wib)).toBe(elapseKey(utc));
    expect(elapseKey(wib)).toBe('elapse:paypal:warningResponse:-:2022-07-29T16:59:59.000Z');
  });

  it('tell apart two fines of one case and two due times of one kind', () => {
    const base = { pseId: 'x', kind: 'finePayment', fineId: 'F1', dueAt: '2024-01-10T23:59:59+07:00' };
    const keys = new Set([
      elapseKey(base),
      elapseKey({ ...base, fineId: 'F2' }),
      elapseKey({ ...base, dueAt: '2024-02-10T23:59:59+07:00' }),
    ]);
    expect(keys.size).toBe(3);
  });
});
