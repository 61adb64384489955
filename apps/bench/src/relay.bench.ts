// Kafka relay throughput (events/s acknowledged by the broker with acks=all, checkpoint included)
// beside a raw kafkajs idempotent producer sending the very same messages in the same batches, in
// the same run, to the same broker: the ratio is what the relay's reading, mapping and checkpointing
// cost. Needs a broker at KAFKA_BROKERS (default 127.0.0.1:9092; `npm run infra:up` starts one).
// Scale with BENCH_SCALE (default 1: 20,000 events).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caseEventBodyOf } from '@sanksi/contracts';
import { SqliteEventStore, type EventToAppend, type RecordedEvent } from '@sanksi/event-store';
import {
  KafkaJsPublisher,
  KafkaRelay,
  SqliteCheckpointStore,
  createKafka,
  ensureTopics,
  toCaseEventMessage,
  type OutboundMessage,
} from '@sanksi/messaging';
import { Partitioners, type Kafka } from 'kafkajs';

const BATCH = 500;
const ROUNDS = 3;

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function caseEvents(pseId: string, count: number): EventToAppend[] {
  return Array.from({ length: count }, (_, revision) => ({
    eventId: randomUUID(),
    type: revision === 0 ? 'PseIdentified' : 'WarningIssued',
    data: { note: `bench ${pseId} #${revision}`, domains: [`${pseId.toLowerCase()}.example`] },
    schemaVersion: 1,
    metadata: {
      pseId,
      occurredAt: '2022-07-20T10:00:00+07:00',
      recordedAt: '2022-07-20T10:00:01+07:00',
      actor: { id: 'bench', role: 'system' },
      commandId: randomUUID(),
      correlationId: 'bench',
      causationId: null,
      policyVersion: 'kominfo-2022',
      revision,
      // A whole recorded state, as the domain writes it: the relay validates every envelope it reads.
      state: {
        state: 'warned',
        substate: null,
        value: 'warned',
        since: '2022-07-20T10:00:00+07:00',
        onBlocklist: false,
        domains: [`${pseId.toLowerCase()}.example`],
        name: pseId,
        origin: 'foreign',
        company: null,
        sector: null,
        registrationNumber: null,
        warnings: 1,
        blocks: 0,
        fines: { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 },
        nextDeadline: { kind: 'warningResponse', dueAt: '2022-07-27T23:59:59+07:00', fineId: null },
        deadlines: [{ kind: 'warningResponse', dueAt: '2022-07-27T23:59:59+07:00', fineId: null }],
        escalation: { pending: false, allowed: [] },
      },
      prevHash: revision === 0 ? null : 'a'.repeat(64),
      hash: 'b'.repeat(64),
    },
  }));
}

async function brokerAnswers(kafka: Kafka): Promise<boolean> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Events per second, and this process's CPU per event in µs (the broker's own CPU is not counted). */
interface Run {
  rate: number;
  cpuUs: number;
}

function cpuUs(since: NodeJS.CpuUsage, events: number): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / events;
}

async function rawProducer(kafka: Kafka, topic: string, messages: OutboundMessage[]): Promise<Run> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < messages.length; i += BATCH) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + BATCH) });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const run = { rate: messages.length / seconds, cpuUs: cpuUs(cpu, messages.length) };
  await producer.disconnect();
  return run;
}

async function relayRun(kafka: Kafka, store: SqliteEventStore, topic: string, dir: string): Promise<Run> {
  const checkpoints = new SqliteCheckpointStore(path.join(dir, `checkpoints-${topic}.db`));
  const publisher = new KafkaJsPublisher(kafka);
  const relay = new KafkaRelay({ store, publisher, checkpoints, topic, batchSize: BATCH, pollIntervalMs: 5 });
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await relay.start();
  await relay.caughtUp({ pollMs: 10 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const published = relay.status().publishedTotal;
  const run = { rate: published / seconds, cpuUs: cpuUs(cpu, published) };
  await relay.stop();
  await publisher.close();
  await checkpoints.close();
  return run;
}

/** Relay vs raw kafkajs producer, events/s into the broker with acks=all. */
export async function run(): Promise<void> {
  const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
  const kafka = createKafka(brokers, { clientId: 'sanksi-bench' });
  if (!(await brokerAnswers(kafka))) {
    console.log(`  skipped: no Kafka broker answers at ${brokers} (start one with \`npm run infra:up\`)`);
    return;
  }
  const scale = Number(process.env['BENCH_SCALE'] ?? '1');
  const cases = Math.max(10, Math.round(200 * scale));
  const perCase = 100;
  const dir = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-relay-'));
  const store = new SqliteEventStore({ file: path.join(dir, 'events.db') });
  const runId = Date.now().toString(36);
  const prefix = `bench.relay.${runId}`;
  const topics = [`${prefix}.warm`, `${prefix}.raw`, `${prefix}.relay`];
  const rounds = Array.from({ length: ROUNDS }, (_, r) => r);
  const created = [topics[0], ...rounds.flatMap((r) => [`${topics[1]}.${r}`, `${topics[2]}.${r}`])];
  try {
    for (let c = 0; c < cases; c++) {
      const pseId = `BENCH-${c}`;
      await store.appendToStream(`pse-${pseId}`, caseEvents(pseId, perCase), {
        expectedRevision: 'no_stream',
      });
    }
    await ensureTopics(
      kafka,
      created.map((topic) => ({ topic, numPartitions: 6, replicationFactor: 1 })),
    );
    // The raw producer gets the relay's own messages, built beforehand: only sending is measured.
    // Built three times, stage by stage as the relay does them, to print the CPU of each stage.
    let messages: OutboundMessage[] = [];
    const stages: Array<{ read: number; check: number; message: number }> = [];
    for (let pass = 0; pass < 3; pass++) {
      const events: RecordedEvent[] = [];
      let cpu = process.cpuUsage();
      for (let after = 0; ; ) {
        const page = await store.readAll({ after, limit: BATCH, category: 'pse' });
        if (page.length === 0) break;
        for (const e of page) events.push(e);
        after = page[page.length - 1].position;
      }
      const read = cpuUs(cpu, events.length);
      cpu = process.cpuUsage();
      for (const e of events) caseEventBodyOf(e);
      const check = cpuUs(cpu, events.length);
      cpu = process.cpuUsage();
      messages = events.map((e) => toCaseEventMessage(e));
      stages.push({ read, check, message: cpuUs(cpu, events.length) });
    }
    const bytes = messages.reduce((n, m) => n + m.value.length, 0) / messages.length;
    console.log(
      `  ${messages.length} events (${cases} cases x ${perCase}), ~${Math.round(bytes)} B each, batches of ${BATCH}, acks=all, broker ${brokers}`,
    );
    const stage = (pick: (s: (typeof stages)[number]) => number): string =>
      median(stages.map(pick)).toFixed(1);
    console.log(
      `  relay stages, CPU µs/event (median of 3 passes): read a page + JSON.parse ${stage((s) => s.read)}, envelope check + body object ${stage((s) => s.check)}, whole message (check, body, JSON text, headers) ${stage((s) => s.message)}`,
    );
    await rawProducer(kafka, topics[0], messages.slice(0, 2000));

    // Alternate the two, three rounds each, and compare medians: this machine is shared and noisy.
    const raws: Run[] = [];
    const relays: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raws.push(await rawProducer(kafka, `${topics[1]}.${round}`, messages));
      relays.push(await relayRun(kafka, store, `${topics[2]}.${round}`, dir));
    }
    const raw = median(raws.map((r) => r.rate));
    const relay = median(relays.map((r) => r.rate));
    const rawCpu = median(raws.map((r) => r.cpuUs));
    const relayCpu = median(relays.map((r) => r.cpuUs));
    const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} events/s`.padStart(18);
    const all = (xs: Run[]): string =>
      xs.map((x) => `${Math.round(x.rate).toLocaleString('en-US')} (${x.cpuUs.toFixed(1)} µs)`).join(' / ');
    const us = (n: number): string => `${n.toFixed(1)} µs CPU/event`.padStart(20);
    console.log(
      `  ${'raw kafkajs producer (prebuilt messages)'.padEnd(46)}${fmt(raw)}${us(rawCpu)}   runs: ${all(raws)}`,
    );
    console.log(
      `  ${'KafkaRelay (read + map + send + checkpoint)'.padEnd(46)}${fmt(relay)}${us(relayCpu)}   runs: ${all(relays)}`,
    );
    console.log(
      `  ${'ratio relay/raw (medians)'.padEnd(46)}${(relay / raw).toFixed(2).padStart(18)}${`${(rawCpu / relayCpu).toFixed(2)} CPU`.padStart(20)}`,
    );
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
