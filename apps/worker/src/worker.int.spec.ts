import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ConfigurationInvalid,
  createRuntime,
  loadConfig,
  ManualClock,
  type SanksiRuntime,
  signOssMessage,
} from '@sanksi/application';
import type { Actor } from '@sanksi/domain';
import { createKafka } from '@sanksi/messaging';
import type { KafkaMessage } from 'kafkajs';
import {
  createTemporaryPostgresDatabase,
  temporaryDirectory,
  type TemporaryDirectory,
  type TemporaryPostgresDatabase,
  waitUntil,
  freePort,
} from '@sanksi/testing';
import { Client } from 'pg';
import pino from 'pino';
import { startWorker } from './worker';
import { runWorkerProcess } from './worker-process';

jest.setTimeout(120_000);

const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const OPERATOR: Actor = { id: 'op-1', role: 'operator' };
/** The OSS producer key the worker's runtime trusts (SANKSI_OSS_PRODUCER_KEYS, docs/decisions/0005). */
const OSS_KEY = { keyId: 'oss-worker-test', secret: 'worker-test-secret-of-the-oss-producer-01' };
const wib = (local: string) => `${local}:00+07:00`;
const silent = pino({ level: 'silent' });

function unique(label: string): string {
  return `test.${label}.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

/** A kominfo-2022 case warned on 2022-07-23 (due 07-29 23:59:59 WIB), with the clock after its due time. */
async function warnedCase(runtime: SanksiRuntime, clock: ManualClock, pseId: string): Promise<void> {
  await runtime.commands.execute(
    {
      type: 'IdentifyPse',
      pseId,
      name: pseId,
      origin: 'foreign',
      domains: [`${pseId}.com`],
      policy: 'kominfo-2022',
      company: null,
      sector: null,
    },
    { actor: OPERATOR, occurredAt: wib('2022-07-18T09:00') },
  );
  clock.set(wib('2022-07-23T10:00'));
  await runtime.commands.execute(
    { type: 'IssueWarning', pseId, letterNumber: `B-${pseId}` },
    { actor: OPERATOR },
  );
  clock.set(wib('2022-07-30T06:00'));
}

describe('startWorker', () => {
  let dir: TemporaryDirectory;
  let clock: ManualClock;
  let runtime: SanksiRuntime | null;

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-worker');
    clock = new ManualClock(wib('2022-07-18T09:00'));
    runtime = null;
  });

  afterEach(async () => {
    await runtime?.close();
    dir.remove();
  });

  async function open(env: Record<string, string> = {}): Promise<SanksiRuntime> {
    runtime = await createRuntime(
      loadConfig({
        SANKSI_DATA_DIR: dir.path,
        SANKSI_LOG_LEVEL: 'silent',
        SANKSI_OSS_PRODUCER_KEYS: `${OSS_KEY.keyId}:${OSS_KEY.secret}`,
        ...env,
      }),
      {
        clock,
        logger: silent,
      },
    );
    return runtime;
  }

  it('runs projector and scheduler by default without Kafka: a due deadline ends up blocked in the read model', async () => {
    // given an embedded runtime (no KAFKA_BROKERS) with a warning past its due time
    const rt = await open();
    expect(rt.config.worker).toEqual(['projector', 'scheduler']);
    await warnedCase(rt, clock, 'paypal');
    // when the worker starts with its default modules
    const worker = await startWorker(rt, undefined, { scheduler: { intervalMs: 20 } });
    try {
      // then the projector feeds the scheduler, which elapses and blocks; the projector shows the block
      await waitUntil('paypal on the blocklist', async () =>
        (await rt.readModels.getBlocklist()).entries.some((e) => e.domain === 'paypal.com'),
      );
      const statuses = await worker.statuses();
      expect(worker.modules).toEqual(['projector', 'scheduler']);
      expect(statuses.map((s) => [s.name, s.healthy])).toEqual([
        ['projector', true],
        ['scheduler', true],
      ]);
      expect(statuses[0].position).toBeGreaterThan(0);
    } finally {
      await worker.stop();
    }
    // and after stop the projector reports itself as not running
    expect((await rt.projector.status()).running).toBe(false);
  });

  it('lets a scheduler without a projector in its process catch the read model up itself', async () => {
    // given a due warning and only the scheduler module
    const rt = await open();
    await warnedCase(rt, clock, 'solo');
    const worker = await startWorker(rt, ['scheduler'], { scheduler: { intervalMs: 20 } });
    try {
      // then it still elapses and blocks
      await waitUntil('solo blocked', async () =>
        (await rt.commands.load('solo')).envelopes.some((e) => e.type === 'AccessBlocked'),
      );
      expect(worker.modules).toEqual(['scheduler']);
    } finally {
      await worker.stop();
    }
  });

  it('refuses to start the Kafka modules with SASL credentials the broker rejects, naming the settings', async () => {
    // given the local broker's SCRAM listener and a wrong password
    const rt = await open({
      KAFKA_BROKERS: process.env['KAFKA_SASL_BROKERS'] ?? '127.0.0.1:9094',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'sanksi',
      KAFKA_SASL_PASSWORD: 'a-wrong-password-for-the-test',
    });
    // when the relay or the OSS consumer starts, then the start fails with the reason, not the password
    for (const module of ['relay', 'oss-consumer'] as const) {
      const error = await startWorker(rt, [module]).then(
        (w) => w.stop().then(() => null),
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(
        /refused the SASL scram-sha-256 credentials of user "sanksi".*KAFKA_SASL_PASSWORD/,
      );
      expect(error?.message).not.toContain('a-wrong-password-for-the-test');
    }
  });

  it('skips the Kafka modules when no broker is configured', async () => {
    const rt = await open();
    const worker = await startWorker(rt, ['relay', 'oss-consumer', 'projector']);
    try {
      expect(worker.modules).toEqual(['projector']);
      expect((await worker.statuses()).map((s) => s.name)).toEqual(['projector']);
    } finally {
      await worker.stop();
    }
  });

  it('relays the log to Kafka and applies OSS registrations from it, all four modules together', async () => {
    // given a runtime with the real broker, a warned case past its due time, and unique topics
    const rt = await open({ KAFKA_BROKERS: BROKERS });
    await warnedCase(rt, clock, 'steam');
    const caseTopic = unique('case-events');
    const ossTopic = unique('oss.registrations');
    const worker = await startWorker(rt, ['projector', 'relay', 'scheduler', 'oss-consumer'], {
      scheduler: { intervalMs: 20 },
      relay: { topic: caseTopic, pollIntervalMs: 20 },
      oss: { topic: ossTopic, groupId: unique('group') },
      dlqSizeIntervalMs: 100,
    });
    const kafka = createKafka(BROKERS, { clientId: 'worker-spec' });
    try {
      // when the scheduler has blocked the case and OSS then confirms its registration
      await waitUntil('steam blocked', async () =>
        (await rt.readModels.getBlocklist()).entries.some((e) => e.domain === 'steam.com'),
      );
      clock.set(wib('2022-08-03T12:00'));
      await waitUntil('the OSS topic', async () => {
        const admin = kafka.admin();
        await admin.connect();
        try {
          return (await admin.listTopics()).includes(ossTopic);
        } finally {
          await admin.disconnect();
        }
      });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const value = JSON.stringify({
        domain: 'steam.com',
        registrationNumber: '006861.01/DJAI.PSE/08/2022',
        confirmedAt: wib('2022-08-03T11:00'),
      });
      const headers = { ce_id: 'oss-1' };
      await producer.send({
        topic: ossTopic,
        messages: [
          { value, headers: { ...headers, ...signOssMessage({ key: null, value, headers }, OSS_KEY) } },
        ],
      });
      await producer.disconnect();

      // then the case is registered and off the blocklist
      await waitUntil(
        'steam registered',
        async () => (await rt.commands.load('steam')).envelopes.at(-1)?.state.state === 'reRegistered',
      );
      await waitUntil(
        'blocklist empty',
        async () => (await rt.readModels.getBlocklist()).entries.length === 0,
      );

      // and every event of the log reached the case-events topic, checkpointed in relay-checkpoints.db
      const head = await rt.eventStore.headPosition();
      await waitUntil(
        'relay caught up',
        async () => (await worker.statuses()).find((s) => s.name === 'relay')?.position === head,
      );
      const events = (await rt.commands.load('steam')).envelopes;
      const seen: KafkaMessage[] = [];
      const reader = kafka.consumer({ groupId: unique('reader') });
      await reader.connect();
      await reader.subscribe({ topic: caseTopic, fromBeginning: true });
      await reader.run({ eachMessage: async ({ message }) => void seen.push(message) });
      await waitUntil('all case events on Kafka', () => seen.length >= events.length);
      await reader.disconnect();
      expect(new Set(seen.map((m) => m.headers?.['ce_id']?.toString()))).toEqual(
        new Set(events.map((e) => e.eventId)),
      );
      expect(existsSync(path.join(dir.path, 'relay-checkpoints.db'))).toBe(true);
      const statuses = await worker.statuses();
      expect(statuses.map((s) => [s.name, s.healthy])).toEqual([
        ['projector', true],
        ['relay', true],
        ['traffic-relay', true],
        ['scheduler', true],
        ['oss-consumer', true],
      ]);
      // The traffic relay is a loop of its own in the statuses (readiness, /metrics): no traffic fact is in
      // the log, so it is caught up although the head is far past its checkpoint (lag counts its category).
      await waitUntil(
        'the traffic relay caught up',
        async () => (await worker.statuses()).find((s) => s.name === 'traffic-relay')?.lag === 0,
      );
      expect((await worker.statuses()).find((s) => s.name === 'traffic-relay')).toMatchObject({
        state: 'running',
        position: 0,
        lag: 0,
        restarts: 0,
      });
      expect((await worker.statuses()).find((s) => s.name === 'relay')?.lag).toBe(0);
      expect(statuses.find((s) => s.name === 'oss-consumer')?.position).toBe(1);

      // and an unsigned message, which can never apply, is dead-lettered: the DLQ's size and the counter say so
      const garbage = kafka.producer({ allowAutoTopicCreation: false });
      await garbage.connect();
      await garbage.send({ topic: ossTopic, messages: [{ value: 'not json at all' }] });
      await garbage.disconnect();
      const series = (body: string, name: string) =>
        Number(
          body
            .split('\n')
            .find((l) => l.startsWith(`${name} `))
            ?.slice(name.length + 1) ?? 0,
        );
      await waitUntil('the DLQ measured with one message', async () => {
        const { body } = await rt.metrics.exposition();
        return series(body, `sanksi_oss_dlq_messages{topic="${ossTopic}.dlq"}`) === 1;
      });
      const { body } = await rt.metrics.exposition();
      expect(series(body, 'sanksi_worker_lag{worker="traffic-relay"}')).toBe(0);
      expect(series(body, 'sanksi_worker_running{worker="traffic-relay"}')).toBe(1);
      expect(series(body, 'sanksi_oss_dead_letters_total{reason="unsigned"}')).toBe(1);
      expect(series(body, 'sanksi_oss_messages_total{outcome="applied"}')).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('starts with the broker down, reports the Kafka modules unhealthy, and stops cleanly', async () => {
    // given a broker address nothing listens on
    const rt = await open({ KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    // when the worker starts every module
    const worker = await startWorker(rt, ['projector', 'relay', 'scheduler', 'oss-consumer'], {
      relay: { backoff: { initialMs: 10, maxMs: 50 }, pollIntervalMs: 10 },
      oss: { backoff: { initialMs: 10, maxMs: 50 } },
    });
    try {
      await rt.commands.execute(
        {
          type: 'IdentifyPse',
          pseId: 'x',
          name: 'x',
          origin: 'domestic',
          domains: ['x.id'],
          company: null,
          sector: null,
        },
        { actor: OPERATOR },
      );
      // then the local modules are healthy and the Kafka ones say they are not, while they retry
      await waitUntil('kafka modules unhealthy', async () => {
        const s = await worker.statuses();
        return (
          !s.find((x) => x.name === 'relay')?.healthy && !s.find((x) => x.name === 'oss-consumer')?.healthy
        );
      });
      const statuses = await worker.statuses();
      expect(statuses.filter((s) => s.healthy).map((s) => s.name)).toEqual([
        'projector',
        // nothing of its category to publish yet, so nothing fails it
        'traffic-relay',
        'scheduler',
      ]);
      // and once a traffic fact waits to be published, the traffic relay says it is not healthy either
      await rt.traffic.ingest(
        [{ line: 1, ok: true, observation: { domain: 'x.id', period: '2022-07', visits: 5, source: 'sw' } }],
        { actor: OPERATOR },
      );
      await waitUntil(
        'the traffic relay unhealthy',
        async () => (await worker.statuses()).find((x) => x.name === 'traffic-relay')?.healthy === false,
      );
      expect((await worker.statuses()).find((s) => s.name === 'traffic-relay')).toMatchObject({
        position: 0,
        lag: expect.any(Number),
      });
      expect(statuses.find((s) => s.name === 'relay')?.position).toBe(0);
    } finally {
      await worker.stop();
    }
  });
});

describe('startWorker on PostgreSQL', () => {
  let database: TemporaryPostgresDatabase;

  async function sql<T>(connectionString: string, query: string): Promise<T[]> {
    const c = new Client({ connectionString });
    await c.connect();
    try {
      return (await c.query(query)).rows as T[];
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_worker');
  });
  afterAll(async () => {
    await database.drop();
  });

  it("keeps the relay checkpoint in the read models' PostgreSQL", async () => {
    // given a runtime on PostgreSQL with one case and the real broker
    const url = database.url;
    const dir = temporaryDirectory('sanksi-worker-pg');
    const rt = await createRuntime(
      loadConfig({
        SANKSI_DATA_DIR: dir.path,
        SANKSI_LOG_LEVEL: 'silent',
        SANKSI_EVENT_STORE: 'postgres',
        DATABASE_URL: url,
        KAFKA_BROKERS: BROKERS,
      }),
      { logger: silent },
    );
    try {
      await rt.commands.execute(
        {
          type: 'IdentifyPse',
          pseId: 'pg-case',
          name: 'pg',
          origin: 'domestic',
          domains: ['pg.id'],
          company: null,
          sector: null,
        },
        { actor: OPERATOR },
      );
      // when the projector and relay run until the relay has caught up
      const caseTopic = unique('case-events');
      const worker = await startWorker(rt, ['projector', 'relay'], {
        relay: { topic: caseTopic, pollIntervalMs: 20 },
      });
      const head = await rt.eventStore.headPosition();
      try {
        await waitUntil(
          'relay caught up',
          async () => (await worker.statuses()).find((s) => s.name === 'relay')?.position === head,
        );
      } finally {
        await worker.stop();
        const admin = createKafka(BROKERS).admin();
        await admin.connect();
        await admin.deleteTopics({ topics: [caseTopic] }).catch(() => undefined);
        await admin.disconnect();
      }
      // then its checkpoint is a row in PostgreSQL, not a file in the data directory
      const rows = await sql<{ position: string }>(url, 'SELECT position FROM relay_checkpoints');
      expect(rows.map((r) => Number(r.position))).toEqual([head]);
      expect(existsSync(path.join(dir.path, 'relay-checkpoints.db'))).toBe(false);
    } finally {
      await rt.close();
      dir.remove();
    }
  });
});

describe('runWorkerProcess', () => {
  it('stops the modules and closes the stores on SIGTERM', async () => {
    // given a worker process on a fresh data directory
    const dir = temporaryDirectory('sanksi-worker-proc');
    const signals = new EventEmitter();
    try {
      const proc = await runWorkerProcess(
        {
          SANKSI_DATA_DIR: dir.path,
          SANKSI_LOG_LEVEL: 'silent',
          SANKSI_WORKER: 'projector,scheduler',
          WORKER_PORT: 'off',
        },
        signals,
      );
      expect(proc.worker.modules).toEqual(['projector', 'scheduler']);
      // when it receives SIGTERM
      signals.emit('SIGTERM');
      await proc.exited;
      // then the projector no longer runs and the stores are closed
      expect((await proc.runtime.projector.status().catch(() => ({ running: false }))).running).toBe(false);
      await expect(proc.runtime.eventStore.headPosition()).rejects.toThrow();
    } finally {
      dir.remove();
    }
  });

  it('refuses to start on an invalid configuration, naming the variable', async () => {
    await expect(
      runWorkerProcess({ SANKSI_WORKER: 'projector,mailer' }, new EventEmitter()),
    ).rejects.toBeInstanceOf(ConfigurationInvalid);
  });
});
