import type { Command } from 'commander';
import { getPolicy, listPolicies, PolicyId, whatIf, type WhatIfReport } from '@sanksi/domain';
import { z } from 'zod';
import { defaultWorkers, replayPopulation, WorkersOption } from '../replay-workers/replay-pool';
import { listCaseIds, readCaseChunks } from '../support/case-streams';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const Options = z.object({
  policy: PolicyId,
  case: z.string().min(1).optional(),
  limit: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).optional(),
  workers: WorkersOption,
  json: z.boolean().optional(),
});

const label = (s: { state: string; substate: string | null } | null): string =>
  s ? (s.substate ? `${s.state}/${s.substate}` : s.state) : 'refused';

/** `sanksi what-if --policy <id> [--case <pseId>]`: where outcomes would differ under another policy version. */
export function register(program: Command, deps: CliDeps): void {
  program
    .command('what-if')
    .description('Re-decide recorded commands under another policy version and show where outcomes differ')
    .requiredOption(
      '--policy <id>',
      `the alternative policy (${listPolicies()
        .map((p) => p.id)
        .join('|')})`,
    )
    .option('--case <pseId>', 'one case only (default: the whole population)')
    .option('--limit <n>', 'list at most this many differing cases (default: all)')
    .option('--workers <n>', 'worker threads replaying cases (default: one per core; 1 = in process)')
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      const policy = getPolicy(opts.policy);
      await withRuntime(deps, async (runtime) => {
        let cases: number;
        let differing: WhatIfReport[];
        let single: WhatIfReport | null = null;
        if (opts.case) {
          single = whatIf(await runtime.history.events(opts.case), policy);
          cases = 1;
          differing = single.differs ? [single] : [];
        } else {
          const reading = out.progress('read   ', await runtime.eventStore.headPosition());
          const pseIds = await listCaseIds(runtime.eventStore, (n) => reading.increment(n)).finally(() =>
            reading.stop(),
          );
          const bar = out.progress('what-if', pseIds.length);
          const outcome = await replayPopulation(
            readCaseChunks(runtime.eventStore, pseIds),
            { kind: 'what-if', policy: policy.id },
            opts.workers ?? defaultWorkers(),
            (n) => bar.increment(n),
          ).finally(() => bar.stop());
          cases = outcome.cases;
          differing = outcome.findings.filter((f): f is WhatIfReport => 'differs' in f);
        }
        const shown = opts.limit === undefined ? differing : differing.slice(0, opts.limit);
        if (out.json) {
          out.data({
            policy: policy.id,
            cases,
            differing: differing.length,
            reports: single ? [single] : shown,
          });
          return;
        }
        out.line(
          `${out.colour.bold(`What if under ${policy.id}`)}: ${differing.length} of ${cases} case(s) would differ`,
        );
        for (const report of shown) {
          const step = report.firstDifference === null ? null : report.steps[report.firstDifference];
          out.line(
            `  ${report.pseId}: final ${label(report.final.recorded)} -> ${label(report.final.alternative)}` +
              (step
                ? `; first at ${step.commandType} (${step.occurredAt}): ${step.differences.join('; ')}`
                : ''),
          );
        }
        if (shown.length < differing.length)
          out.line(out.colour.dim(`  … ${differing.length - shown.length} more (use --limit or --json)`));
      });
    });
}
