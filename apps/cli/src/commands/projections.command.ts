import type { Command } from 'commander';
import { DEFAULT_CHECKPOINT } from '@sanksi/read-models';
import { z } from 'zod';
import { startProjectionThread } from '../simulate/projection-thread';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

// The projector commits every read model in one batch under one checkpoint, so "a projection" is that set.
const PROJECTIONS = [DEFAULT_CHECKPOINT] as const;
const Options = z.object({
  name: z.enum(PROJECTIONS).optional(),
  json: z.boolean().optional(),
});

/** `sanksi projections status|rebuild [name]`. */
export function register(program: Command, deps: CliDeps): void {
  const projections = program
    .command('projections')
    .description(`Read-model projections (${PROJECTIONS.join(', ')}): status and rebuild`);
  projections
    .command('status')
    .description('Checkpoint position, log head, lag and who holds the projector lease')
    .argument('[name]', `projection (${PROJECTIONS.join('|')})`)
    .option('--json', 'machine-readable output')
    .action(async (name: string | undefined, raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, { ...raw, name }, ['name']);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        const status = await runtime.projector.status();
        // Who projects it now, if anyone: a server's projector, or a rebuild (which holds it to its end).
        const lease = await runtime.readModels.projectorLeaseHolder(status.checkpoint);
        if (out.json) {
          out.data({ ...status, lease });
          return;
        }
        out.table(
          ['projection', 'position', 'head', 'lag', 'lease held by', 'last error'],
          [
            [
              status.checkpoint,
              String(status.position),
              String(status.head),
              String(status.lag),
              lease ? `${lease.holder} (until ${lease.expiresAt})` : '-',
              status.lastError?.message ?? '-',
            ],
          ],
        );
      });
    });
  projections
    .command('rebuild')
    .description('Empty the read models and project the whole log again')
    .argument('[name]', `projection (${PROJECTIONS.join('|')})`)
    .option('--json', 'machine-readable output')
    .action(async (name: string | undefined, raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, { ...raw, name }, ['name']);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        const head = await runtime.eventStore.headPosition();
        const bar = out.progress('rebuild', head);
        let result: { applied: number; position: number; by: 'self' | 'follower' };
        // The projector reports nothing until it is done: the committed checkpoint shows how far it got.
        const timer = setInterval(() => {
          runtime.readModels.getCheckpoint().then(
            (position) => bar.update(position),
            () => undefined,
          );
        }, 250);
        try {
          // In a thread of its own when the built script is there: its young generation is sized for
          // batches (youngGenerationLimits); from the sources, here.
          const thread = startProjectionThread(deps.env, { appending: false });
          result = thread ? await thread.finish() : await runtime.projector.rebuild();
        } finally {
          clearInterval(timer);
          bar.stop();
        }
        const status = await runtime.projector.status();
        if (out.json)
          out.data({
            rebuilt: status.checkpoint,
            applied: result.applied,
            position: result.position,
            projectedBy: result.by === 'follower' ? 'running-projector' : 'this-command',
            head: status.head,
          });
        else
          out.line(
            out.colour.green(
              result.by === 'follower'
                ? `Rebuilt ${status.checkpoint}: reset, replayed by the running server's projector, position ${result.position} of ${status.head}`
                : `Rebuilt ${status.checkpoint}: ${result.applied} event(s) projected, position ${result.position} of ${status.head}`,
            ),
          );
      });
    });
}
