import type { Command } from 'commander';
import { CASE_EVENTS_TOPIC } from '@sanksi/messaging';
import { z } from 'zod';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const Options = z.object({ json: z.boolean().optional() });

/** `sanksi relay status`: how far the Kafka relay has published the log (its durable checkpoint). */
export function register(program: Command, deps: CliDeps): void {
  const relay = program.command('relay').description('The Kafka relay of case events: status');
  relay
    .command('status')
    .description(
      'Checkpoint position, log head and lag of the relay (events/s: see /metrics of the running worker)',
    )
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw, []);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        const { relayCheckpoints } = await import('@sanksi/worker');
        const checkpoints = relayCheckpoints(runtime);
        try {
          const name = `kafka-relay:${CASE_EVENTS_TOPIC}`;
          const position = await checkpoints.load(name);
          const head = await runtime.eventStore.headPosition();
          const status = {
            relay: name,
            topic: CASE_EVENTS_TOPIC,
            position,
            head,
            lag: Math.max(0, head - position),
          };
          if (out.json) {
            out.data(status);
            return;
          }
          out.table(
            ['relay', 'position', 'head', 'lag'],
            [[name, String(position), String(head), String(status.lag)]],
          );
        } finally {
          await checkpoints.close();
        }
      });
    });
}
