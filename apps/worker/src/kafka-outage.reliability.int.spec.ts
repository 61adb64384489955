import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRuntime, loadConfig, type SanksiRuntime } from '@sanksi/application';
import type { Actor } from '@sanksi/domain';
import { CASE_EVENTS_TOPIC, createKafka, parseCloudEventHeaders } from '@sanksi/messaging';
import {
  temporaryDirectory,
  type TemporaryDirectory,
  recordReliabilityFigures,
  freePort,
} from '@sanksi/testing';
import pino from 'pino';
import { startWorker, type WorkerHandle } from './worker';

/**
 * Reliability: the Kafka broker stops for a while under a steady command load, then comes back. The
 * quick profile (`npm test`) stops it for 8 s; SANKSI_RELIABILITY_FULL=1 (`npm run test:reliability`)
 * for 60 s. The broker is this test's own (random ports, its own data directory, infra/kafka/start.sh),
 * so the shared broker other tests use is never disturbed.
 */
const FULL = process.env['SANKSI_RELIABILITY_FULL'] === '1';
const OUTAGE_MS = FULL ? 60_000 : 8_000;
const CASES = FULL ? 40 : 12;

jest.setTimeout(FULL ? 600_000 : 240_000);

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');
const OPERATOR: Actor = { id: 'op-1', role: 'operator' };

function brokerScript(runDir: string, port: number, controllerPort: number) {
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_RUN_DIR: runDir,
    KAFKA_HEAP_OPTS: '-Xmx384m -Xms128m',
    // A broker slow to shut down cleanly is killed after 10 s: the outage is what is under test.
    KAFKA_STOP_TIMEOUT: '10',
  };
  return (script: 'start' | 'stop') =>
    run('bash', [path.join(repoRoot, `infra/kafka/${script}.sh`)], { env, timeout: 180_000 });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Kafka broker outage under load (reliability)', () => {
  let dir: TemporaryDirectory;
  let broker: (script: 'start' | 'stop') => Promise<unknown>;
  let runtime: SanksiRuntime;
  let worker: WorkerHandle | undefined;

  beforeAll(async () => {
    dir = temporaryDirectory('sanksi-kafka-outage');
    const port = await freePort();
    broker = brokerScript(path.join(dir.path, 'kafka'), port, await freePort());
    await broker('start');
    runtime = await createRuntime(
      loadConfig({
        SANKSI_DATA_DIR: path.join(dir.path, 'data'),
        SANKSI_LOG_LEVEL: 'silent',
        KAFKA_BROKERS: `127.0.0.1:${port}`,
        KAFKA_PARTITIONS: '3',
      }),
      { logger: pino({ level: 'silent' }) },
    );
  });

  afterAll(async () => {
    await worker?.stop();
    await runtime?.close();
    await broker?.('stop').catch(() => undefined);
    dir?.remove();
  });

  it(`loses nothing while the broker is down ${OUTAGE_MS / 1000} s during a command load, and the relay's lag drains to 0`, async () => {
    // given the relay running and cases being changed by commands all along
    worker = await startWorker(runtime, ['relay'], {
      relay: { pollIntervalMs: 20, backoff: { initialMs: 100, maxMs: 2000 } },
    });
    const relayStatus = async () =>
      (await (worker as WorkerHandle).statuses()).find((s) => s.name === 'relay');
    const pseIds = Array.from({ length: CASES }, (_, i) => `outage-${i}`);
    for (const pseId of pseIds) {
      await runtime.commands.execute(
        {
          type: 'IdentifyPse',
          pseId,
          name: pseId,
          origin: 'domestic',
          domains: [`${pseId}.example`],
          policy: 'pp43-2023',
          company: null,
          sector: null,
        },
        { actor: OPERATOR },
      );
    }
    let loading = true;
    let commands = 0;
    const load = (async () => {
      for (let i = 0; loading; i++) {
        const pseId = pseIds[i % pseIds.length];
        await runtime.commands.execute(
          { type: 'UpdatePseProfile', pseId, name: `${pseId} v${i}` },
          { actor: OPERATOR },
        );
        commands += 1;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await until(
      'the relay publishing',
      async () => ((await relayStatus())?.position ?? 0) > 0 || undefined,
      60_000,
    );

    // when the broker stops for the outage and comes back, the load going on throughout
    await broker('stop');
    const down = await until(
      'the relay to notice the outage',
      async () => ((await relayStatus())?.healthy === false ? await relayStatus() : undefined),
      30_000,
    );
    expect(down?.healthy).toBe(false);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const lagAtRestart = (await relayStatus())?.lag ?? 0;
    const restartAt = Date.now();
    await broker('start');
    await new Promise((r) => setTimeout(r, 1000));
    loading = false;
    await load;

    // then the relay drains its lag to 0
    const drained = await until(
      'the lag to drain',
      async () => {
        const s = await relayStatus();
        const head = await runtime.eventStore.headPosition();
        return s && s.healthy && s.lag === 0 && s.position === head ? s : undefined;
      },
      120_000,
    );
    const drainMs = Date.now() - restartAt;
    expect(drained.lag).toBe(0);

    // and every event of the log is on the topic (deduplicated by id), in order per case
    const stored = await runtime.eventStore.readAll({ after: 0, limit: 1_000_000, category: 'pse' });
    const kafka = createKafka(runtime.config.kafka?.brokers ?? [], { clientId: 'outage-reader' });
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(CASE_EVENTS_TOPIC);
    await admin.disconnect();
    const onTopic = offsets.reduce((n, p) => n + Number(p.high), 0);
    const seen: Array<{ partition: number; offset: number; key: string; id: string }> = [];
    const consumer = kafka.consumer({ groupId: `outage-reader-${Date.now()}` });
    let lastCrash = '';
    consumer.on(consumer.events.CRASH, (e) => {
      lastCrash = String(e.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: CASE_EVENTS_TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `read ${seen.length} of ${onTopic} messages (last consumer crash: ${lastCrash || 'none'})`,
            ),
          ),
        120_000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.push({
              partition,
              offset: Number(message.offset),
              key: message.key?.toString() ?? '',
              id: parseCloudEventHeaders(message.headers)?.id ?? '',
            });
            if (seen.length >= onTopic) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(new Set(seen.map((m) => m.id))).toEqual(new Set(stored.map((e) => e.eventId)));
    // A deduplicating consumer sees each case's events in the order the log has them.
    const expected = new Map<string, string[]>();
    for (const e of stored) {
      const key = String(e.metadata['pseId']);
      expected.set(key, [...(expected.get(key) ?? []), e.eventId]);
    }
    const firstSeen = new Set<string>();
    const observed = new Map<string, string[]>();
    for (const m of [...seen].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      if (firstSeen.has(m.id)) continue;
      firstSeen.add(m.id);
      observed.set(m.key, [...(observed.get(m.key) ?? []), m.id]);
    }
    expect(observed).toEqual(expected);

    recordReliabilityFigures('kafka-outage', {
      outageSeconds: OUTAGE_MS / 1000,
      commands,
      events: stored.length,
      messagesOnTopic: onTopic,
      duplicates: onTopic - stored.length,
      lagAtRestart,
      drainSeconds: Math.round(drainMs / 100) / 10,
    });
  });
});
