// A relay in a process of its own, for the crash test: it reports every batch phase as one JSON line
// on stdout and, when told to, freezes at a phase so the parent can SIGKILL it exactly there.
// argv[2]: JSON { eventsFile, checkpointsFile, brokers, topic, batchSize, freezeAt?: { phase, batch } }
import { SqliteEventStore } from '@sanksi/event-store';
import { createKafka } from '../kafka.client';
import { KafkaJsPublisher } from '../kafkajs.publisher';
import { KafkaRelay, type RelayBatchPhase } from '../kafka-relay';
import { SqliteCheckpointStore } from '../sqlite-checkpoint.store';

interface ChildArgs {
  eventsFile: string;
  checkpointsFile: string;
  brokers: string;
  topic: string;
  batchSize: number;
  /** Freeze at this phase of the n-th batch (1-based) of this run. */
  freezeAt?: { phase: RelayBatchPhase; batch: number };
}

function report(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  const store = new SqliteEventStore({ file: args.eventsFile });
  const checkpoints = new SqliteCheckpointStore(args.checkpointsFile);
  const publisher = new KafkaJsPublisher(createKafka(args.brokers, { clientId: 'relay-child' }));
  const batches: Record<RelayBatchPhase, number> = { read: 0, published: 0, checkpointed: 0 };
  const relay = new KafkaRelay({
    store,
    publisher,
    checkpoints,
    topic: args.topic,
    batchSize: args.batchSize,
    pollIntervalMs: 20,
    // The same relay restarted after a kill: a stable owner takes its own lease back at once instead
    // of standing by until the killed process's lease lapses.
    lease: { owner: 'relay-child' },
    onBatch: async (phase, batch) => {
      batches[phase] += 1;
      const freeze = args.freezeAt?.phase === phase && args.freezeAt.batch === batches[phase];
      report({ phase, ...batch, frozen: freeze });
      // A pending promise alone does not keep node alive: hold a timer until the parent kills us.
      if (freeze) await new Promise<never>(() => setInterval(() => undefined, 60_000));
    },
  });
  await relay.start();
  const position = await relay.caughtUp();
  await relay.stop();
  report({ phase: 'caught-up', position, status: relay.status() });
  await publisher.close();
  await checkpoints.close();
  await store.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
