import { isTransientFailure } from './oss-failure';
import { signOssMessage, verifyOssSignature, type OssProducerKey } from './oss-signature';

const KEY: OssProducerKey = { keyId: 'oss-2026', secret: 'k'.repeat(40) };
const OLD: OssProducerKey = { keyId: 'oss-2025', secret: 'o'.repeat(40) };
const AT = Date.parse('2026-03-01T10:00:00Z');
const WINDOW = { appendedAtMs: AT + 2_000, windowMs: 300_000 };

function signed(
  parts: { key: string | null; value: string; headers?: Record<string, string> },
  key = KEY,
  at = AT,
) {
  return { ...parts, headers: { ...parts.headers, ...signOssMessage(parts, key, at) } };
}

describe('OSS producer signatures', () => {
  const message = { key: 'paypal', value: '{"pseId":"paypal"}', headers: { ce_id: 'm-1' } };

  it('accepts a message signed by a key of the allow-list, and names the key', () => {
    expect(verifyOssSignature(signed(message), [OLD, KEY], WINDOW)).toEqual({ ok: true, keyId: 'oss-2026' });
  });

  it.each([
    ['the value', { ...message, value: '{"pseId":"valve"}' }],
    ['the key', { ...message, key: 'valve' }],
    ['the ce_id header', { ...message, headers: { ce_id: 'm-2' } }],
    ['a message-id header added', { ...message, headers: { ...message.headers, 'message-id': 'm-3' } }],
  ])('refuses a message whose %s changed after signing', (_, changed) => {
    const sig = signOssMessage(message, KEY, AT);
    const check = verifyOssSignature({ ...changed, headers: { ...changed.headers, ...sig } }, [KEY], WINDOW);
    expect(check).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('given a broker timestamp no Date can hold, then signature-expired naming it, not a RangeError (found by fuzzing)', () => {
    const check = verifyOssSignature(signed(message), [KEY], {
      appendedAtMs: -8_640_000_000_000_001,
      windowMs: 300_000,
    });
    expect(check).toEqual({
      ok: false,
      reason: 'signature-expired',
      detail:
        'signed at 2026-03-01T10:00:00.000Z, appended at -8640000000000001 (epoch ms, out of range): more than 300 s apart (a replayed or long-delayed message)',
    });
  });

  it('refuses a changed timestamp, since the timestamp is signed', () => {
    const m = signed(message);
    m.headers['sanksi-signature-timestamp'] = String(AT + 1);
    expect(verifyOssSignature(m, [KEY], WINDOW)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('names the reason for unsigned, unknown-key, malformed and out-of-window messages', () => {
    expect(verifyOssSignature(message, [KEY], WINDOW)).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(verifyOssSignature(signed(message, OLD), [KEY], WINDOW)).toMatchObject({
      ok: false,
      reason: 'unknown-key',
      detail: expect.stringContaining('known: oss-2026'),
    });
    const malformed = { ...message, headers: { ...signed(message).headers, 'sanksi-signature': 'hmac abc' } };
    expect(verifyOssSignature(malformed, [KEY], WINDOW)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(
      verifyOssSignature(signed(message), [KEY], { appendedAtMs: AT + 300_001, windowMs: 300_000 }),
    ).toMatchObject({
      ok: false,
      reason: 'signature-expired',
    });
    expect(
      verifyOssSignature(signed(message), [KEY], { appendedAtMs: Number.NaN, windowMs: 300_000 }),
    ).toMatchObject({
      ok: false,
      reason: 'signature-expired',
    });
  });

  it('refuses everything when no key is configured', () => {
    expect(verifyOssSignature(signed(message), [], WINDOW)).toMatchObject({
      ok: false,
      reason: 'unknown-key',
    });
  });
});

describe('isTransientFailure', () => {
  it.each([
    ['a closed SQLite connection', new TypeError('The database connection is not open')],
    ['a PostgreSQL connection failure', Object.assign(new Error('x'), { code: '08006' })],
    ['a PostgreSQL shutdown', Object.assign(new Error('x'), { code: '57P01' })],
    [
      'a refused connection as the cause',
      new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
    ],
    ['SQLITE_BUSY', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })],
    ['an unavailable event store', Object.assign(new Error('x'), { code: 'EVENT_STORE_UNAVAILABLE' })],
  ])('waits out %s', (_, e) => {
    expect(isTransientFailure(e)).toBe(true);
  });

  it.each([
    ['a missing table', Object.assign(new Error('no such table: case_summary'), { code: 'SQLITE_ERROR' })],
    ['a PostgreSQL undefined column', Object.assign(new Error('x'), { code: '42703' })],
    ['a handler bug', new TypeError("Cannot read properties of undefined (reading 'domains')")],
  ])('counts %s as deterministic', (_, e) => {
    expect(isTransientFailure(e)).toBe(false);
  });
});
