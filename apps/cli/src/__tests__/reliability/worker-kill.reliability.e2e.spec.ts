import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { tempDir } from '../cli-process.fixture';
import {
  compareWithRebuild,
  freshDatabase,
  logInvariants,
  loggedEvents,
  withClient,
} from './postgres-checks';
import {
  portFor,
  recordFigures,
  runSeed,
  seededRandom,
  type Served,
  sized,
  sleep,
  spawnNode,
  type Spawned,
  startServe,
  waitFor,
} from './reliability.fixture';

jest.setTimeout(sized(240_000, 1_800_000));

const LAUNCHER = path.join(__dirname, 'worker-launcher.child.js');
const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const DAY = 86_400_000;

describe('reliability: the worker SIGKILLed at random points during a heavy run (PostgreSQL, Kafka)', () => {
  const { dir, cleanup } = tempDir('worker-kill');
  const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  const topic = `test.reliability-kill.${run}`;
  const ossTopic = `test.reliability-kill-oss.${run}`;
  const kafka = new Kafka({
    clientId: 'reliability-kill',
    brokers: BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;
  let api: Served | undefined;
  let worker: Spawned | undefined;

  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await api?.stop();
    await database?.drop();
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const ours = [topic, ossTopic, `${ossTopic}.dlq`].filter((t) => existing.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
    await admin.disconnect();
    cleanup();
  });

  it('given commands flowing and warnings past their deadlines, when the worker is killed and restarted again and again, then read models equal a rebuild, Kafka holds every event in case order, no deadline elapses twice and no command applies twice', async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const kills = sized(3, 50);
    process.stdout.write(
      `worker kill: seed ${seed} (SANKSI_RELIABILITY_SEED=${seed} replays the schedule)\n`,
    );
    database = await freshDatabase('kill');
    const env = {
      SANKSI_DATA_DIR: dir,
      SANKSI_EVENT_STORE: 'postgres',
      SANKSI_READ_MODELS: 'postgres',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: BROKERS,
      KAFKA_PARTITIONS: '3',
    };
    // The commands come from an API process of their own; only the worker is killed.
    api = await startServe(portFor(21), { ...env, SANKSI_WORKER: 'none' });
    const served = api;
    const workerEnv = {
      ...env,
      SANKSI_WORKER: 'projector,relay,scheduler,oss-consumer',
      RELIABILITY_CASE_EVENTS_TOPIC: topic,
      RELIABILITY_OSS_TOPIC: ossTopic,
      RELIABILITY_OSS_GROUP: `reliability-kill-${run}`,
    };
    const startups: number[] = [];
    const phase = (name: string, since: number) =>
      process.stdout.write(`worker kill: ${name} in ${((Date.now() - since) / 1000).toFixed(1)} s\n`);
    const startWorker = async () => {
      const started = Date.now();
      const w = spawnNode([LAUNCHER], workerEnv);
      await waitFor(
        'the worker to start',
        () => {
          if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.output()}`);
          return w.output().includes('worker started') ? true : undefined;
        },
        60_000,
      );
      startups.push(Date.now() - started);
      return w;
    };

    // The load: cases opened 60 days ago and warned 50 days ago, so their deadlines are due and the
    // scheduler elapses them (and escalates) while it is being killed; some commands are retried
    // with their Idempotency-Key, as a client whose connection dropped would.
    const counts = { commands: 0, retries: 0, refused: 0 };
    let loading = true;
    const post = async (url: string, body: unknown, key: string) => {
      const send = () =>
        fetch(`${served.base}${url}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${served.keys.operator}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(body),
        });
      const first = await send();
      counts.commands++;
      if (first.status >= 300) counts.refused++;
      expect([200, 201, 409]).toContain(first.status);
      if (random() < 0.2) {
        const again = await send();
        counts.retries++;
        expect(again.status).toBe(first.status === 201 ? 200 : first.status);
      }
    };
    let opened = 0;
    const client = async (lane: number) => {
      for (let i = 0; loading; i++) {
        const pseId = `kill-${lane}-${i}`;
        const now = Date.now();
        await post(
          '/v1/cases',
          {
            pseId,
            name: `Kill ${pseId}`,
            origin: random() < 0.5 ? 'foreign' : 'domestic',
            domains: [`${pseId}.example.com`],
            occurredAt: new Date(now - 60 * DAY).toISOString(),
          },
          `open-${pseId}`,
        );
        opened++;
        await post(
          `/v1/cases/${pseId}/warnings`,
          {
            letterNumber: `W-${pseId}`,
            occurredAt: new Date(now - (20 + random() * 30) * DAY).toISOString(),
          },
          `warn-${pseId}`,
        );
      }
    };
    const lanes = [0, 1, 2, 3].map((l) => client(l));

    let killed = 0;
    const loadStarted = Date.now();
    try {
      for (; killed < kills; killed++) {
        worker = await startWorker();
        await sleep(200 + Math.floor(random() * 2300));
        worker.child.kill('SIGKILL');
        expect((await worker.exited).signal).toBe('SIGKILL');
      }
    } finally {
      loading = false;
      await Promise.all(lanes);
    }

    phase(`${killed} kill points with load`, loadStarted);
    // The last start: let it catch up, then stop it cleanly.
    const catchUpStarted = Date.now();
    worker = await startWorker();
    const url = database.url;
    // Caught up: the projector and the relay at the head, and the head still for two seconds (the
    // scheduler acts on the projected view, so its elapses come after the projector's catch-up).
    let still: { head: number; since: number } = { head: -1, since: Date.now() };
    await waitFor(
      'the worker to catch up (projector and relay at the head, the log quiet for 2 s)',
      () =>
        withClient(url, async (c) => {
          const head = Number(
            (
              await c.query(
                `SELECT coalesce(max(position), 0) AS p FROM event_store.events WHERE category = 'pse'`,
              )
            ).rows[0].p,
          );
          const projector = Number(
            (await c.query(`SELECT coalesce(max(position), 0) AS p FROM read_models.projection_checkpoints`))
              .rows[0].p,
          );
          const relay = Number(
            (
              await c.query(`SELECT position AS p FROM relay_checkpoints WHERE name = $1`, [
                `kafka-relay:${topic}`,
              ])
            ).rows[0]?.p ?? 0,
          );
          if (head !== still.head) still = { head, since: Date.now() };
          return projector >= head && relay >= head && Date.now() - still.since >= 2000 ? head : undefined;
        }),
      sized(120_000, 600_000),
      250,
    );
    phase('catch-up after the last restart', catchUpStarted);
    worker.child.kill('SIGTERM');
    const stopped = await worker.exited;
    expect({ code: stopped.code, output: stopped.code === 0 ? '' : worker.output() }).toEqual({
      code: 0,
      output: '',
    });

    const events = await withClient(url, loggedEvents);
    const invariants = logInvariants(events);
    expect(invariants).toMatchObject({
      streamsWithGaps: [],
      duplicateEventIds: [],
      appendsAppliedTwice: [],
      deadlinesElapsedTwice: [],
    });
    expect(invariants.elapses).toBeGreaterThan(0);

    const checksStarted = Date.now();
    const rebuild = await compareWithRebuild(url);
    phase('rebuild and compare', checksStarted);
    expect(rebuild.differing).toEqual([]);

    // Kafka holds every event at least once; the first copy of each, per case, comes in stream order.
    const seen = await readTopic(kafka, topic, events.length);
    const byId = new Map(events.map((e) => [e.eventId, e]));
    const missing = events.filter((e) => !seen.firstSeen.has(e.eventId)).map((e) => e.eventId);
    expect(missing).toEqual([]);
    expect([...seen.firstSeen.keys()].filter((id) => !byId.has(id))).toEqual([]);
    for (const [pseId, ids] of seen.orderByCase) {
      const revisions = ids.map((id) => byId.get(id)?.revision ?? -1);
      expect({ pseId, revisions }).toEqual({ pseId, revisions: revisions.map((_, i) => i) });
    }

    recordFigures('worker-kill', {
      seed,
      'kill points survived': killed,
      'cases opened': opened,
      'commands sent': counts.commands,
      'idempotent retries': counts.retries,
      'events checked': events.length,
      'deadlines elapsed (once each)': invariants.elapses,
      'Kafka messages read': seen.messages,
      'Kafka duplicates (redelivered after a kill)': seen.messages - seen.firstSeen.size,
      'read-model rows compared': rebuild.rows,
      'worker start, median ms': startups.sort((a, b) => a - b)[Math.floor(startups.length / 2)],
    });
  });
});

/** Reads the topic from the beginning until `expected` distinct event ids arrived (or 60 s passed). */
async function readTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
): Promise<{ firstSeen: Set<string>; orderByCase: Map<string, string[]>; messages: number }> {
  const consumer = kafka.consumer({ groupId: `reliability-reader-${randomUUID()}` });
  const firstSeen = new Set<string>();
  const orderByCase = new Map<string, string[]>();
  let messages = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages++;
        const id = message.headers?.['ce_id']?.toString() ?? '';
        if (firstSeen.has(id)) return;
        firstSeen.add(id);
        const key = message.key?.toString() ?? '';
        orderByCase.set(key, [...(orderByCase.get(key) ?? []), id]);
      },
    });
    // Short of the count after a minute: the caller's comparison names what is missing.
    await waitFor(
      `${expected} distinct events on ${topic}`,
      () => (firstSeen.size >= expected ? true : undefined),
      60_000,
    ).catch(() => undefined);
    // A little longer, so a stray extra message (one the log does not hold) would be seen too.
    await sleep(1000);
  } finally {
    await consumer.disconnect();
  }
  return { firstSeen, orderByCase, messages };
}
