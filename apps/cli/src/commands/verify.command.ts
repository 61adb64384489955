import type { Command } from 'commander';
import { verifyChain, verifyRecordedStates } from '@sanksi/domain';
import { z } from 'zod';
import { ExitCode } from '../cli.errors';
import { readAllCases } from '../support/case-streams';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const Options = z.object({ json: z.boolean().optional() });

/** One case that failed verification, and how. */
export interface CaseDivergence {
  pseId: string;
  problem: 'chain' | 'state';
  index: number;
  eventId: string;
  detail: string;
}

/** `sanksi verify`: every hash chain intact, every recorded state what the current machine derives. */
export function register(program: Command, deps: CliDeps): void {
  program
    .command('verify')
    .description(
      'Replay every case with the current machine and check every hash chain; exit 1 on any divergence',
    )
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        const head = await runtime.eventStore.headPosition();
        const reading = out.progress('read   ', head);
        const cases = await readAllCases(runtime.eventStore, (n) => reading.increment(n)).finally(() =>
          reading.stop(),
        );
        const checking = out.progress('verify ', cases.size);
        const divergences: CaseDivergence[] = [];
        let events = 0;
        for (const [pseId, envelopes] of cases) {
          events += envelopes.length;
          const chain = verifyChain(envelopes);
          if (!chain.ok) {
            divergences.push({
              pseId,
              problem: 'chain',
              index: chain.index,
              eventId: chain.eventId,
              detail: chain.reason,
            });
          } else {
            const states = verifyRecordedStates(envelopes);
            if (!states.ok) {
              divergences.push({
                pseId,
                problem: 'state',
                index: states.index,
                eventId: states.eventId,
                detail: `recorded ${states.recorded.state}, current machine derives ${states.replayed.state}`,
              });
            }
          }
          checking.increment();
        }
        checking.stop();
        const ok = divergences.length === 0;
        if (out.json) out.data({ ok, cases: cases.size, events, divergences });
        else if (ok)
          out.line(
            out.colour.green(
              `OK: ${cases.size} case(s), ${events} event(s); every chain intact, every state replays`,
            ),
          );
        else {
          out.line(out.colour.red(`DIVERGENCE in ${divergences.length} of ${cases.size} case(s):`));
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
