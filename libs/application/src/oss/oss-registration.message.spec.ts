import { type InboundMessage, messageIdOf, parseRegistrationBody } from './oss-registration.message';

const at = (partial: Partial<InboundMessage>): InboundMessage => ({
  topic: 'oss.registrations.v1',
  partition: 2,
  offset: '41',
  key: null,
  value: null,
  ...partial,
});

describe('OSS registration messages', () => {
  it('accept a registration for a case or for a domain', () => {
    const byCase = parseRegistrationBody(
      JSON.stringify({
        pseId: 'paypal',
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        confirmedAt: '2022-08-03T10:00:00+07:00',
      }),
    );
    const byDomain = parseRegistrationBody(
      Buffer.from(
        JSON.stringify({
          domain: 'paypal.com',
          registrationNumber: '006860.01/DJAI.PSE/08/2022',
          confirmedAt: '2022-08-03T03:00:00Z',
        }),
      ),
    );
    expect(byCase).toMatchObject({ ok: true, body: { pseId: 'paypal' } });
    expect(byDomain).toMatchObject({ ok: true, body: { domain: 'paypal.com' } });
  });

  it.each([
    ['', 'unparseable', /empty/],
    ['{not json', 'unparseable', /not JSON/],
    [
      JSON.stringify({
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        confirmedAt: '2022-08-03T03:00:00Z',
      }),
      'invalid',
      /neither pseId nor domain/,
    ],
    [
      JSON.stringify({ pseId: 'x', registrationNumber: 'REG-1', confirmedAt: '2022-08-03T03:00:00Z' }),
      'invalid',
      /registrationNumber/,
    ],
    [
      JSON.stringify({
        pseId: 'x',
        registrationNumber: '006860.01/DJAI.PSE/08/2022',
        confirmedAt: 'yesterday',
      }),
      'invalid',
      /confirmedAt/,
    ],
  ])('reject %j as %s', (body, reason, detail) => {
    const result = parseRegistrationBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.reason).toBe(reason);
      expect(result.problem.detail).toMatch(detail);
    }
  });

  it('take the message id from ce_id, then message-id, then the body, then the log position', () => {
    expect(
      messageIdOf(at({ headers: { ce_id: Buffer.from('ce-1'), 'message-id': 'm-1' } }), { messageId: 'b' }),
    ).toBe('ce-1');
    expect(messageIdOf(at({ headers: { 'message-id': [Buffer.from('m-1')] } }), { messageId: 'b' })).toBe(
      'm-1',
    );
    expect(messageIdOf(at({ headers: {} }), { messageId: 'b-1' })).toBe('b-1');
    expect(messageIdOf(at({}))).toBe('oss.registrations.v1-2-41');
  });
});
