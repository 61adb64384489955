import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EventStore, EventToAppend } from '@sanksi/event-store';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { parseCloudEventHeaders } from '../cloud-events.headers';
import type { CaseEventMessageBody } from '../case-event.message';
import { caseStateAfter } from './case-state.fixture';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../../..');

/** The shared test broker (tools/test.mjs exports KAFKA_BROKERS; infra/up.sh starts it). */
export function testBrokers(): string {
  return process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
}

const createdTopics: string[] = [];

/** A topic name no other test run uses, so every run reads only its own messages. */
export function uniqueTopic(label: string): string {
  const topic = `test.${label}.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  createdTopics.push(topic);
  return topic;
}

/** Deletes the topics uniqueTopic named in this test file, so the shared broker does not pile them up. */
export async function deleteTestTopics(kafka: Kafka): Promise<void> {
  const topics = createdTopics.splice(0);
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  } finally {
    await admin.disconnect();
  }
}

/** A broker of the test's own, started and stopped with the project's scripts (infra/kafka). */
export class OwnBroker {
  constructor(
    readonly runDir: string,
    readonly port: number,
    readonly controllerPort: number,
    /** More settings of infra/kafka/start.sh, e.g. `KAFKA_SSL_PORT` for a TLS listener. */
    readonly extraEnv: Record<string, string> = {},
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts it (formatting storage the first time) and waits until it answers. */
  async start(): Promise<void> {
    await run('bash', [path.join(repoRoot, 'infra/kafka/start.sh')], { env: this.env(), timeout: 180_000 });
  }

  /** Stops it cleanly (SIGTERM); data stays for the next start. */
  async stop(): Promise<void> {
    await run('bash', [path.join(repoRoot, 'infra/kafka/stop.sh')], { env: this.env(), timeout: 60_000 });
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_RUN_DIR: this.runDir,
      KAFKA_HEAP_OPTS: '-Xmx384m -Xms128m',
      ...this.extraEnv,
    };
  }
}

/** A case event as the application stores it: the envelope's fields in metadata. */
export function caseEvent(pseId: string, revision: number, runId: string): EventToAppend {
  const minute = String(revision % 60).padStart(2, '0');
  return {
    eventId: randomUUID(),
    type: revision === 0 ? 'PseIdentified' : 'WarningIssued',
    data: { note: `${runId} ${pseId} #${revision}` },
    schemaVersion: 1,
    metadata: {
      pseId,
      occurredAt: `2022-07-20T10:${minute}:00+07:00`,
      recordedAt: `2022-07-20T10:${minute}:01+07:00`,
      actor: { id: 'op-1', role: 'operator' },
      commandId: randomUUID(),
      correlationId: runId,
      causationId: null,
      policyVersion: 'kominfo-2022',
      revision,
      state: caseStateAfter(),
      prevHash: revision === 0 ? null : `h${revision - 1}`,
      hash: `h${revision}`,
    },
  };
}

/** Appends `perCase` events to each of `cases` cases, interleaved across cases; returns their ids. */
export async function appendCases(
  store: EventStore,
  options: { cases: number; perCase: number; runId: string; startRevision?: number; prefix?: string },
): Promise<string[]> {
  const ids: string[] = [];
  const start = options.startRevision ?? 0;
  for (let revision = start; revision < start + options.perCase; revision++) {
    await Promise.all(
      Array.from({ length: options.cases }, async (_, c) => {
        const pseId = `${options.prefix ?? 'PSE'}-${options.runId}-${c}`;
        const event = caseEvent(pseId, revision, options.runId);
        ids.push(event.eventId);
        await store.appendToStream(`pse-${pseId}`, [event], {
          expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
        });
      }),
    );
  }
  return ids;
}

/** A consumed case-event message, decoded. */
export interface ConsumedCaseEvent {
  partition: number;
  offset: string;
  key: string;
  headers: ReturnType<typeof parseCloudEventHeaders>;
  rawHeaders: KafkaMessage['headers'];
  body: CaseEventMessageBody;
}

/** Reads `topic` from the beginning with a fresh group until `done` holds (or fails after `timeoutMs`). */
export async function consumeUntil(
  kafka: Kafka,
  topic: string,
  done: (seen: ConsumedCaseEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<ConsumedCaseEvent[]> {
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, allowAutoTopicCreation: false });
  const seen: ConsumedCaseEvent[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`consumed ${seen.length} message(s) from ${topic}; condition not met in time`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            seen.push({
              partition,
              offset: message.offset,
              key: message.key?.toString('utf8') ?? '',
              headers: parseCloudEventHeaders(message.headers),
              rawHeaders: message.headers,
              body: JSON.parse(message.value?.toString('utf8') ?? 'null') as CaseEventMessageBody,
            });
            if (done(seen)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** How many messages the topic holds (sum of its partitions' high watermarks). */
export async function topicMessageCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Unique event ids among consumed messages (consumers deduplicate by ce_id). */
export function distinctIds(seen: ConsumedCaseEvent[]): Set<string> {
  return new Set(seen.map((m) => m.headers?.id ?? ''));
}

/**
 * Per case, the revisions in consumption order after dropping repeats of an id already seen: what a
 * deduplicating consumer observes. Each must be 0, 1, 2, ... with nothing missing or reordered.
 */
export function revisionsPerCaseAfterDedup(seen: ConsumedCaseEvent[]): Map<string, number[]> {
  const byPartition = [...seen].sort(
    (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
  );
  const ids = new Set<string>();
  const perCase = new Map<string, number[]>();
  for (const m of byPartition) {
    if (ids.has(m.body.eventId)) continue;
    ids.add(m.body.eventId);
    const list = perCase.get(m.key) ?? [];
    list.push(m.body.revision);
    perCase.set(m.key, list);
  }
  return perCase;
}
