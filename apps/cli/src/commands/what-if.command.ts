import type { Command } from 'commander';
import {
  getPolicy,
  listPolicies,
  PolicyId,
  type PseCaseEventEnvelope,
  whatIf,
  type WhatIfReport,
} from '@sanksi/domain';
import { z } from 'zod';
import { readAllCases } from '../support/case-streams';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const Options = z.object({
  policy: PolicyId,
  case: z.string().min(1).optional(),
  limit: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).optional(),
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
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      const policy = getPolicy(opts.policy);
      await withRuntime(deps, async (runtime) => {
        let cases: Map<string, PseCaseEventEnvelope[]>;
        if (opts.case) {
          cases = new Map([[opts.case, await runtime.history.events(opts.case)]]);
        } else {
          const reading = out.progress('read   ', await runtime.eventStore.headPosition());
          cases = await readAllCases(runtime.eventStore, (n) => reading.increment(n)).finally(() =>
            reading.stop(),
          );
        }
        const bar = out.progress('what-if', cases.size);
        const differing: WhatIfReport[] = [];
        for (const envelopes of cases.values()) {
          const report = whatIf(envelopes, policy);
          if (report.differs) differing.push(report);
          bar.increment();
        }
        bar.stop();
        const shown = opts.limit === undefined ? differing : differing.slice(0, opts.limit);
        if (out.json) {
          out.data({
            policy: policy.id,
            cases: cases.size,
            differing: differing.length,
            reports: opts.case
              ? differing.length
                ? differing
                : [whatIf(cases.get(opts.case) ?? [], policy)]
              : shown,
          });
          return;
        }
        out.line(
          `${out.colour.bold(`What if under ${policy.id}`)}: ${differing.length} of ${cases.size} case(s) would differ`,
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
