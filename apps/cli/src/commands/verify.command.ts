import type { Command } from 'commander';
import { z } from 'zod';
import { ExitCode } from '../cli.errors';
import { defaultWorkers, replayPopulation, WorkersOption } from '../replay-workers/replay-pool';
import type { CaseDivergence } from '../replay-workers/replay-task';
import { replayStoreConfig } from '../replay-workers/replay-range';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

export type { CaseDivergence } from '../replay-workers/replay-task';

const Options = z.object({ json: z.boolean().optional(), workers: WorkersOption });

/** `sanksi verify`: every hash chain intact, every recorded state what the current machine derives. */
export function register(program: Command, deps: CliDeps): void {
  program
    .command('verify')
    .description(
      'Replay every case with the current machine and check every hash chain; exit 1 on any divergence',
    )
    .option('--workers <n>', 'worker threads replaying cases (default: one per core)')
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        const head = await runtime.eventStore.headPosition();
        const checking = out.progress('verify ', head);
        const outcome = await replayPopulation(
          {
            store: runtime.eventStore,
            config: replayStoreConfig(runtime.config),
            head,
            youngMb: runtime.config.replayYoungMb,
          },
          { kind: 'verify' },
          opts.workers ?? defaultWorkers(),
          { onPositions: (n) => checking.increment(n) },
        ).finally(() => checking.stop());
        const divergences = outcome.findings.filter((f): f is CaseDivergence => 'problem' in f);
        const { cases, events } = outcome;
        const ok = divergences.length === 0;
        if (out.json) out.data({ ok, cases, events, divergences });
        else if (ok)
          out.line(
            out.colour.green(
              `OK: ${cases} case(s), ${events} event(s); every chain intact, every state replays`,
            ),
          );
        else {
          out.line(out.colour.red(`DIVERGENCE in ${divergences.length} of ${cases} case(s):`));
          for (const d of divergences) {
            out.line(
              `  ${d.pseId}: ${d.problem === 'chain' ? 'hash chain broken' : 'state differs'} at event #${d.index} (${d.eventId}): ${d.detail}`,
            );
          }
        }
        if (!ok) process.exitCode = ExitCode.failure;
      });
    });
}
