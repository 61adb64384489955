import fc from 'fast-check';
import pino from 'pino';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { ManualClock } from '../cases/clock';
import { loadConfig } from '../config/sanksi-config';
import { createRuntime, type SanksiRuntime } from '../runtime/sanksi-runtime';
import { OssRegistrationHandler } from './oss-registration.handler';
import { type InboundMessage, parseRegistrationBody } from './oss-registration.message';
import { OSS_SIGNATURE_HEADER, signOssMessage } from './oss-signature';

// Fuzzing the OSS registration message path (issue 11) below the Kafka consumer loop: the body parser
// and the handler, on a real SQLite runtime. Whatever a message holds — any bytes, any JSON, any
// headers, signed by a known key, an unknown one, badly or not at all — the handler answers
// applied, duplicate or dead-letter with a known reason and a detail, never throws on a healthy store,
// and nothing but an applied message changes the log. `npm test` tries 300 messages; the full
// reliability profile (SANKSI_RELIABILITY_FULL=1) 3,000. SANKSI_FUZZ_SEED replays a run.
const FULL = process.env.SANKSI_RELIABILITY_FULL === '1';
const RUNS = Number(process.env.SANKSI_OSS_FUZZ_RUNS ?? (FULL ? 3_000 : 300));
const SEED = Number(process.env.SANKSI_FUZZ_SEED ?? 20_220_720);
const KEY = { keyId: 'oss-prod', secret: 'oss-fuzz-secret-0123456789' };
const NOW_MS = Date.parse('2022-08-01T02:00:00Z');
const REASONS = new Set([
  'unparseable',
  'invalid',
  'unknown-case',
  'ambiguous-case',
  'refused',
  'unsigned',
  'unknown-key',
  'bad-signature',
  'signature-expired',
]);
const CASES = ['oss-a', 'oss-b', 'oss-c'];
const DOMAINS = ['a.example.co.id', 'shared.example.com', 'c.example.id'];

const hostile = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '😀',
    '__proto__',
    'a'.repeat(10_000),
    '../x',
    'SHARED.EXAMPLE.COM.',
    '*.example.com',
    '2022-02-30T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '000001.01/DJAI.PSE/13/2022',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.jsonValue({ maxDepth: 2 }),
);
/** A hostile value as header or key text. */
const hostileText = hostile.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));
const registrationNumber = fc
  .tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 1, max: 12 }))
  .map(([n, m]) => `${String(n).padStart(6, '0')}.01/DJAI.PSE/${String(m).padStart(2, '0')}/2022`);
const confirmedAt = fc
  .integer({ min: Date.parse('2022-07-18T00:00:00Z'), max: NOW_MS })
  .map((ms) => new Date(ms).toISOString());
const validBody = fc.record(
  {
    messageId: fc.uuid(),
    registrationNumber,
    pseId: fc.constantFrom(...CASES, 'oss-no-such-case'),
    domain: fc.constantFrom(...DOMAINS, 'nobody.example.org'),
    confirmedAt,
  },
  { requiredKeys: ['registrationNumber', 'confirmedAt'] },
);
const bodyBytes = fc.oneof(
  { arbitrary: validBody.map((b) => JSON.stringify(b)), weight: 6 },
  {
    arbitrary: fc
      .tuple(
        validBody,
        fc.constantFrom('messageId', 'registrationNumber', 'pseId', 'domain', 'confirmedAt', 'x'),
        hostile,
      )
      .map(([b, k, v]) => JSON.stringify({ ...b, [k]: v })),
    weight: 4,
  },
  {
    arbitrary: fc.oneof(
      fc.constantFrom(
        '',
        ' ',
        '{',
        'null',
        '[]',
        '"x"',
        '{"__proto__":{"pseId":"oss-a"}}',
        '\ufeff{}',
        '1e400',
      ),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc.string({ unit: 'binary', maxLength: 200 }),
    ),
    weight: 2,
  },
);

const messages: fc.Arbitrary<{ message: InboundMessage; how: string }> = fc
  .record({
    value: fc.oneof({ arbitrary: bodyBytes, weight: 20 }, { arbitrary: fc.constant(null), weight: 1 }),
    asBuffer: fc.boolean(),
    key: fc.oneof(fc.constant(null), fc.constantFrom(...CASES), hostileText),
    ceId: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 3 },
      { arbitrary: fc.uuid(), weight: 1 },
      { arbitrary: hostileText, weight: 1 },
    ),
    signing: fc.constantFrom(
      'good',
      'good',
      'good',
      'good',
      'unknown key',
      'tampered',
      'none',
      'expired',
      'garbage',
    ),
    signedAtSkewMs: fc.integer({ min: -120_000, max: 120_000 }),
    offset: fc.nat(),
    timestamp: fc.oneof(
      { arbitrary: fc.constant(String(NOW_MS)), weight: 8 },
      { arbitrary: hostileText, weight: 1 },
    ),
  })
  .map((m) => {
    const value = m.value === null ? null : m.asBuffer ? Buffer.from(m.value, 'utf8') : m.value;
    const headers: Record<string, string> = {};
    if (m.ceId !== undefined) headers['ce_id'] = m.ceId;
    const parts = { key: m.key, value, headers };
    const signedAt = m.signing === 'expired' ? NOW_MS - 3_600_000 : NOW_MS + m.signedAtSkewMs;
    if (m.signing === 'good' || m.signing === 'expired')
      Object.assign(headers, signOssMessage(parts, KEY, signedAt));
    if (m.signing === 'unknown key')
      Object.assign(headers, signOssMessage(parts, { keyId: 'intruder', secret: 'x' }, signedAt));
    if (m.signing === 'tampered') {
      Object.assign(headers, signOssMessage(parts, KEY, signedAt));
      headers[OSS_SIGNATURE_HEADER] = headers[OSS_SIGNATURE_HEADER].replace(/sig=(.)/, (_, c: string) =>
        c === '0' ? 'sig=1' : 'sig=0',
      );
    }
    if (m.signing === 'garbage') headers[OSS_SIGNATURE_HEADER] = 'v1;keyId=;sig=zz;;==';
    return {
      how: m.signing,
      message: {
        topic: 'oss.registrations.v1',
        partition: 0,
        offset: String(m.offset),
        key: m.key,
        value,
        headers,
        timestamp: m.timestamp,
      },
    };
  });

describe('fuzzing the OSS registration messages (parser and handler, real SQLite)', () => {
  let dir: TemporaryDirectory;
  let runtime: SanksiRuntime;
  let handler: OssRegistrationHandler;

  beforeAll(async () => {
    dir = temporaryDirectory('sanksi-oss-fuzz');
    runtime = await createRuntime(loadConfig({ SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent' }), {
      clock: new ManualClock(new Date(NOW_MS)),
      logger: pino({ level: 'silent' }),
    });
    // Given three cases, two of which share a domain (so a message by domain can be ambiguous).
    const domainsOf = [[DOMAINS[0]], [DOMAINS[1]], [DOMAINS[1], DOMAINS[2]]];
    for (const [i, pseId] of CASES.entries()) {
      await runtime.commands.execute(
        {
          type: 'IdentifyPse',
          pseId,
          name: `OSS ${pseId}`,
          origin: 'domestic',
          domains: domainsOf[i],
          company: null,
          sector: null,
        },
        { actor: { id: 'operator:fuzz', role: 'operator' }, occurredAt: '2022-07-15T09:00:00+07:00' },
      );
    }
    await runtime.projector.runOnce();
    handler = new OssRegistrationHandler(runtime, { producerKeys: [KEY], signatureWindowMs: 300_000 });
  });
  afterAll(async () => {
    await runtime?.close();
    dir?.remove();
  });

  it(`given ${RUNS} generated message bodies, then the parser never throws and names every problem`, () => {
    fc.assert(
      fc.property(fc.oneof(bodyBytes, fc.string({ unit: 'binary' })), fc.boolean(), (text, asBuffer) => {
        const parsed = parseRegistrationBody(asBuffer ? Buffer.from(text, 'utf8') : text);
        if (!parsed.ok) {
          expect(['unparseable', 'invalid']).toContain(parsed.problem.reason);
          expect(parsed.problem.detail.length).toBeGreaterThan(0);
        } else {
          expect(parsed.body.pseId !== undefined || parsed.body.domain !== undefined).toBe(true);
        }
      }),
      { numRuns: RUNS * 3, seed: SEED },
    );
  });

  it(`given ${RUNS} generated messages (seed ${SEED}), then applied, duplicate or dead-letter with a reason, and only an applied one changes the log`, async () => {
    const seen: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(messages, async ({ message, how }) => {
        const before = await runtime.eventStore.headPosition();
        const outcome = await handler.handle(message);
        const after = await runtime.eventStore.headPosition();
        const label = outcome.kind === 'dead-letter' ? `dead-letter ${outcome.reason}` : outcome.kind;
        seen[label] = (seen[label] ?? 0) + 1;
        expect(outcome.messageId.length).toBeGreaterThan(0);
        if (outcome.kind === 'applied') {
          expect(after).toBeGreaterThan(before);
          expect(how).toBe('good');
        } else {
          expect({ outcome: label, head: after }).toEqual({ outcome: label, head: before });
        }
        if (outcome.kind === 'dead-letter') {
          expect(REASONS.has(outcome.reason)).toBe(true);
          expect(outcome.detail.length).toBeGreaterThan(0);
          if (how !== 'good')
            expect(['unsigned', 'unknown-key', 'bad-signature', 'signature-expired']).toContain(
              outcome.reason,
            );
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.log(`OSS message fuzz: ${RUNS} messages (seed ${SEED}): ${JSON.stringify(seen)}`);
    // The run reached the deciding code, not only the signature check.
    expect(seen['applied'] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(seen).length).toBeGreaterThan(5);
  });
});
