import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createRuntime,
  createSanksiLogger,
  loadConfig,
  ManualClock,
  REDACTED,
  type SanksiRuntime,
} from '@sanksi/application';
import { createApiApp } from '../api-app';
import { ApiKeyRegistry, type Role } from '../auth/api-keys';
import { TEST_KEYS } from '../testing/api-harness';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

type Line = Record<string, unknown> & {
  msg?: string;
  requestId?: string;
  traceId?: string;
  level?: number;
  headers?: Record<string, string>;
};

describe('request log: one line per request, a request id, no secrets', () => {
  const lines: string[] = [];
  let dir: string;
  let runtime: SanksiRuntime;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sanksi-request-log-'));
    const config = loadConfig({ SANKSI_DATA_DIR: dir, SANKSI_LOG_LEVEL: 'info' });
    runtime = await createRuntime(config, {
      clock: new ManualClock('2022-07-21T02:00:00Z'),
      // The production root logger, writing into this test.
      logger: createSanksiLogger('info', { write: (line: string) => void lines.push(line) }),
    });
    const keys = new ApiKeyRegistry(
      Object.entries(TEST_KEYS).map(([role, key]) => ({ role: role as Role, key })),
    );
    app = await createApiApp({ runtime, keys });
  });
  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const requestLines = (): Line[] =>
    lines.map((l) => JSON.parse(l) as Line).filter((l) => l.msg === 'request');
  const linesOf = (requestId: string) => requestLines().filter((l) => l.requestId === requestId);

  it('given a request with X-Request-Id, when answered, then the id is echoed and logged on exactly one line', async () => {
    const answer = await app.inject({
      method: 'GET',
      url: '/v1/stats/states',
      headers: { authorization: `Bearer ${TEST_KEYS.analyst}`, 'x-request-id': 'req-given-1' },
    });

    expect(answer.statusCode).toBe(200);
    expect(answer.headers['x-request-id']).toBe('req-given-1');
    const mine = linesOf('req-given-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      component: 'http',
      method: 'GET',
      url: '/v1/stats/states',
      route: '/v1/stats/states',
      statusCode: 200,
      caller: expect.any(String),
      durationMs: expect.any(Number),
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('given a request with only a traceparent, when answered, then its trace id is the request id', async () => {
    const answer = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { traceparent: TRACEPARENT },
    });

    expect(answer.headers['x-request-id']).toBe(TRACE);
    // Probes are logged at debug: nothing at info for them.
    expect(linesOf(TRACE)).toHaveLength(0);
  });

  it('given requests without any id, when answered, then each gets a fresh one, logged once, even a 404 and a 401', async () => {
    const a = await app.inject({ method: 'GET', url: '/v1/no-such-route' });
    const b = await app.inject({ method: 'GET', url: '/v1/stats/states' });
    const idA = a.headers['x-request-id'] as string;
    const idB = b.headers['x-request-id'] as string;

    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(idB).toMatch(/^[0-9a-f]{32}$/);
    expect(idA).not.toBe(idB);
    expect(linesOf(idA)).toEqual([expect.objectContaining({ statusCode: 404 })]);
    expect(linesOf(idB)).toEqual([expect.objectContaining({ statusCode: 401 })]);
  });

  it('given an X-Request-Id with control characters or over 200 characters, when answered, then a fresh id is used instead', async () => {
    const long = await app.inject({
      method: 'GET',
      url: '/v1/stats/states',
      headers: { 'x-request-id': 'x'.repeat(201) },
    });
    const spaced = await app.inject({
      method: 'GET',
      url: '/v1/stats/states',
      headers: { 'x-request-id': 'a b' },
    });

    expect(long.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(spaced.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('given a command with a bearer key, an X-Api-Key and a cookie, when logged, then none of them is in the log and the line says they were redacted', async () => {
    const secretHeaders = {
      authorization: `Bearer ${TEST_KEYS.operator}`,
      'x-api-key': 'an-api-key-that-must-not-leak',
      cookie: 'session=a-cookie-that-must-not-leak',
      'x-request-id': 'req-secret-1',
      traceparent: TRACEPARENT,
    };
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: secretHeaders,
      payload: { pseId: 'log.shop', name: 'Log Shop', origin: 'foreign', domains: ['log-shop.example'] },
    });

    expect(answer.statusCode).toBe(201);
    const all = lines.join('\n');
    expect(all).not.toContain(TEST_KEYS.operator);
    expect(all).not.toContain('an-api-key-that-must-not-leak');
    expect(all).not.toContain('a-cookie-that-must-not-leak');
    const [line] = linesOf('req-secret-1');
    expect(line.headers).toMatchObject({
      authorization: REDACTED,
      'x-api-key': REDACTED,
      cookie: REDACTED,
      traceparent: TRACEPARENT,
    });
    expect(line.traceId).toBe(TRACE);
  });

  it('given that command, when its events are read from the store, then they carry the request id as correlation id and the trace id beside the envelope', async () => {
    const events = await runtime.eventStore.readStream('pse-log.shop');

    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.metadata).toMatchObject({ correlationId: 'req-secret-1', traceId: TRACE });
    }
    // The envelope (hashed, served over HTTP) does not hold the trace id: the chain verifies as before.
    const envelopes = await runtime.history.events('log.shop');
    expect(envelopes[0]).not.toHaveProperty('traceId');
    expect(envelopes[0].correlationId).toBe('req-secret-1');
    expect((await runtime.history.verify('log.shop')).chain).toMatchObject({ ok: true });
  });

  it('given X-Correlation-Id, when a command is sent, then its events carry that correlation id and the request still has its own id', async () => {
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/cases/log.shop/warnings',
      headers: { authorization: `Bearer ${TEST_KEYS.operator}`, 'x-correlation-id': 'case-review-7' },
      payload: { letterNumber: 'B-7/2022' },
    });

    expect(answer.statusCode).toBe(201);
    const events = await runtime.eventStore.readStream('pse-log.shop');
    const warning = events.find((e) => e.type === 'WarningIssued');
    expect(warning?.metadata).toMatchObject({
      correlationId: 'case-review-7',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(answer.headers['x-request-id']).toBe(warning?.metadata['traceId']);
  });
});

describe('root logger redaction', () => {
  it('given the whole configuration with a database URL, API keys, OSS keys and a SASL password, when logged, then no secret is written', () => {
    const out: string[] = [];
    const logger = createSanksiLogger('info', { write: (line: string) => void out.push(line) });
    const env = {
      DATABASE_URL: 'postgres://sanksi:pg-password-must-not-leak@db:5432/sanksi',
      SANKSI_API_KEYS: 'operator:operator-key-must-not-leak',
      SANKSI_OSS_PRODUCER_KEYS: 'oss-1:oss-secret-must-not-leak-0123456789abcdef',
      KAFKA_BROKERS: 'k:9092',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'sanksi',
      KAFKA_SASL_PASSWORD: 'sasl-password-must-not-leak',
    } as const;

    logger.info({ config: loadConfig({ ...env, SANKSI_EVENT_STORE: 'postgres' }) }, 'configuration');
    logger.info({ env }, 'environment');
    logger.info({ DATABASE_URL: env.DATABASE_URL }, 'flat');

    const text = out.join('\n');
    expect(out).toHaveLength(3);
    for (const secret of [
      'pg-password-must-not-leak',
      'operator-key-must-not-leak',
      'oss-secret-must-not-leak',
      'sasl-password-must-not-leak',
    ])
      expect(text).not.toContain(secret);
    expect(text).toContain(REDACTED);
    expect(text).toContain('k:9092');
  });
});
