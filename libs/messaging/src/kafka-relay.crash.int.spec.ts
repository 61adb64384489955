import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { temporaryDirectory, type TemporaryDirectory } from '@sanksi/testing';
import { createInterface } from 'node:readline';
import { SqliteEventStore } from '@sanksi/event-store';
import type { Kafka } from 'kafkajs';
import { createKafka, ensureTopics } from './kafka.client';
import type { RelayBatchPhase } from './kafka-relay';
import { SqliteCheckpointStore } from './sqlite-checkpoint.store';
import {
  appendCases,
  consumeUntil,
  distinctIds,
  revisionsPerCaseAfterDedup,
  testBrokers,
  topicMessageCount,
  uniqueTopic,
  deleteTestTopics,
} from './__fixtures__/kafka-test.helpers';

jest.setTimeout(180_000);

interface ChildLine {
  phase: RelayBatchPhase | 'caught-up';
  from?: number;
  to?: number;
  size?: number;
  frozen?: boolean;
  position?: number;
}

/** Runs the relay fixture in its own node process and hands its batch reports line by line. */
function startChild(args: object): {
  child: ChildProcess;
  lines: ChildLine[];
  waitFor: (p: (l: ChildLine) => boolean) => Promise<ChildLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
} {
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(__dirname, '__fixtures__/register-ts.js'),
      path.join(__dirname, '__fixtures__/relay-child.fixture.ts'),
      JSON.stringify(args),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: ChildLine[] = [];
  const waiters: Array<{ predicate: (l: ChildLine) => boolean; resolve: (l: ChildLine) => void }> = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  if (!child.stdout) throw new Error('relay child has no stdout pipe');
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as ChildLine;
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.predicate(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const waitFor = (predicate: (l: ChildLine) => boolean): Promise<ChildLine> => {
    const found = lines.find(predicate);
    if (found) return Promise.resolve(found);
    return Promise.race([
      new Promise<ChildLine>((resolve) => waiters.push({ predicate, resolve })),
      exited.then((e) => {
        throw new Error(`relay child exited (${e.code ?? e.signal}) before the expected line: ${e.stderr}`);
      }),
    ]);
  };
  return { child, lines, waitFor, exited };
}

describe('KafkaRelay killed with SIGKILL mid-batch', () => {
  let dir: TemporaryDirectory;
  let kafka: Kafka;

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-relay-crash');
    kafka = createKafka(testBrokers(), { clientId: 'relay-crash-test' });
  });

  afterEach(async () => {
    await deleteTestTopics(kafka);
    dir.remove();
  });

  it('given a relay process killed after an ack but before its checkpoint, and again during a send, when restarted, then nothing is lost and per-case order holds after dedup', async () => {
    const topic = uniqueTopic('case-events-crash');
    await ensureTopics(kafka, [{ topic, numPartitions: 4, replicationFactor: 1 }]);
    const eventsFile = path.join(dir.path, 'events.db');
    const checkpointsFile = path.join(dir.path, 'checkpoints.db');
    const store = new SqliteEventStore({ file: eventsFile });
    const ids = await appendCases(store, { cases: 10, perCase: 12, runId: 'k' });
    const base = { eventsFile, checkpointsFile, brokers: testBrokers(), topic, batchSize: 10 };

    // Run 1: frozen right after the broker acknowledged batch 3, then killed.
    const first = startChild({ ...base, freezeAt: { phase: 'published', batch: 3 } });
    const ackedNotSaved = await first.waitFor((l) => l.phase === 'published' && l.frozen === true);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const checkpointed = first.lines.filter((l) => l.phase === 'checkpointed');
    const saved = new SqliteCheckpointStore(checkpointsFile);
    const afterFirst = await saved.load('kafka-relay:' + topic);
    expect(afterFirst).toBe(checkpointed[checkpointed.length - 1].to);
    expect(afterFirst).toBeLessThan(ackedNotSaved.to ?? 0);

    // The log keeps growing while no relay runs.
    ids.push(...(await appendCases(store, { cases: 10, perCase: 4, runId: 'k', startRevision: 12 })));

    // Run 2: killed as soon as it has read its second batch, wherever the send then is.
    const second = startChild(base);
    await second.waitFor(
      (l) => l.phase === 'read' && second.lines.filter((x) => x.phase === 'read').length === 2,
    );
    second.child.kill('SIGKILL');
    expect((await second.exited).signal).toBe('SIGKILL');

    // Run 3: to the end.
    const third = startChild(base);
    const done = await third.waitFor((l) => l.phase === 'caught-up');
    expect((await third.exited).code).toBe(0);
    expect(done.position).toBe(await store.headPosition());
    expect(await saved.load('kafka-relay:' + topic)).toBe(done.position);
    await saved.close();
    await store.close();

    const total = await topicMessageCount(kafka, topic);
    const seen = await consumeUntil(kafka, topic, (s) => s.length >= total);
    expect(distinctIds(seen)).toEqual(new Set(ids));
    // Batch 3 of run 1 was acknowledged but not checkpointed: it went out again.
    expect(seen.length).toBeGreaterThanOrEqual(ids.length + (ackedNotSaved.size ?? 0));
    const perCase = revisionsPerCaseAfterDedup(seen);
    expect(perCase.size).toBe(10);
    for (const revisions of perCase.values()) {
      expect(revisions).toEqual(Array.from({ length: 16 }, (_, i) => i));
    }
  });
});
