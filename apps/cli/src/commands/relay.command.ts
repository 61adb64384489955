import type { Command } from 'commander';
import type { SanksiRuntime } from '@sanksi/application';
import { CASE_EVENTS_TOPIC, type CheckpointStore, TRAFFIC_OBSERVATIONS_TOPIC } from '@sanksi/messaging';
import { z } from 'zod';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const Options = z.object({ json: z.boolean().optional() });

/** One relay's durable progress: its checkpoint, the log head, and how far behind its own category is. */
async function relayStatus(
  runtime: SanksiRuntime,
  checkpoints: CheckpointStore,
  topic: string,
  category: string,
  head: number,
) {
  const relay = `kafka-relay:${topic}`;
  const position = await checkpoints.load(relay);
  // Events of the other category after the checkpoint are never this relay's to publish: with none of
  // its own left, it is caught up whatever the head is (the worker's status counts lag the same way).
  const behind = (await runtime.eventStore.readAll({ after: position, limit: 1, category })).length > 0;
  return { relay, topic, category, position, head, lag: behind ? Math.max(0, head - position) : 0 };
}

/**
 * `sanksi relay status`: how far the Kafka relays have published the log (their durable checkpoints) —
 * the case-event relay, and beside it the traffic relay (`traffic` in `--json`).
 */
export function register(program: Command, deps: CliDeps): void {
  const relay = program
    .command('relay')
    .description('The Kafka relays of case events and traffic facts: status');
  relay
    .command('status')
    .description(
      'Checkpoint position, log head and lag of each relay (events/s: see /metrics of the running worker)',
    )
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw, []);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        const { relayCheckpoints } = await import('@sanksi/worker');
        const checkpoints = relayCheckpoints(runtime);
        try {
          const head = await runtime.eventStore.headPosition();
          // The relay's checkpoint is named by the topic it publishes to (SANKSI_CASE_EVENTS_TOPIC).
          const topic = runtime.config.kafka?.caseEventsTopic ?? CASE_EVENTS_TOPIC;
          const cases = await relayStatus(runtime, checkpoints, topic, 'pse', head);
          const traffic = await relayStatus(
            runtime,
            checkpoints,
            TRAFFIC_OBSERVATIONS_TOPIC,
            'traffic',
            head,
          );
          if (out.json) {
            out.data({ ...cases, traffic });
            return;
          }
          out.table(
            ['relay', 'position', 'head', 'lag'],
            [cases, traffic].map((s) => [s.relay, String(s.position), String(s.head), String(s.lag)]),
          );
        } finally {
          await checkpoints.close();
        }
      });
    });
}
