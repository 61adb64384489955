import type { Command } from 'commander';
import {
  countWhatIf,
  emptyWhatIfCounts,
  getPolicy,
  listPolicies,
  orderedWhatIfCounts,
  PolicyId,
  toZone,
  whatIf,
  type WhatIfCounts,
  type WhatIfReport,
  WhatIfUntil,
} from '@sanksi/domain';
import { z } from 'zod';
import type { CliOutput } from '../output/cli-output';
import { terminalSafeJson } from '../output/terminal-safe';
import { defaultWorkers, replayPopulation, WorkersOption } from '../replay-workers/replay-pool';
import { type ListedFindings, replayStoreConfig } from '../replay-workers/replay-range';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

const Options = z.object({
  policy: PolicyId,
  until: WhatIfUntil.optional(),
  case: z.string().min(1).optional(),
  limit: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).optional(),
  workers: WorkersOption,
  json: z.boolean().optional(),
});

type Side = WhatIfReport['final']['recorded'];
type Divergence = NonNullable<WhatIfReport['divergence']>;

const label = (s: Side): string => (s ? (s.substate ? `${s.state}/${s.substate}` : s.state) : 'no case');
const event = (e: Divergence['recorded']): string =>
  e ? `${e.type} at ${e.occurredAt} (${e.state.replace('.', '/')})` : 'nothing';

function printReport(out: CliOutput, report: WhatIfReport): void {
  out.line(
    `  ${report.pseId}: recorded ${label(report.final.recorded)}, what-if ${label(report.final.alternative)}`,
  );
  const d = report.divergence;
  if (d) {
    out.line(`    first divergence at event #${d.index}:`);
    out.line(`      recorded  ${event(d.recorded)}`);
    out.line(`      what-if   ${event(d.alternative)}`);
  }
  const step = report.firstDifference === null ? null : report.steps[report.firstDifference];
  if (step) {
    out.line(
      out.colour.dim(
        `    first differing command: ${step.commandType} (${step.occurredAt}): ${step.differences.join('; ')}`,
      ),
    );
  }
}

/** The differing cases a population's what-if lists for people without `--limit`; `--json` lists all. */
const TEXT_REPORTS = 1_000;

/**
 * The `--json` document of a population's what-if with its reports written as the replay hands them over,
 * in population order, rather than held to the end: at a million cases (more than 250,000 differing) they
 * did not fit in the heap. The same document as `out.data` prints, its totals after the reports.
 */
function streamedReports(out: CliOutput, policy: string, until: string) {
  let written = 0;
  out.raw(`{\n  "policy": ${JSON.stringify(policy)},\n  "until": ${JSON.stringify(until)},\n  "reports": [`);
  return {
    /** Reports as the replay threads listed them (`listedFinding`), a slice's at a time, each after `,\n`. */
    add({ bytes, count }: ListedFindings): void {
      // The document's first report follows the opening bracket without a comma.
      out.raw(written === 0 ? bytes.subarray(1) : bytes);
      written += count;
    },
    end(totals: { cases: number; differing: number; counts: WhatIfCounts }): void {
      // the totals' own keys, at the document's indentation: their object without its braces
      const rest = terminalSafeJson(JSON.stringify(totals, null, 2)).slice(2, -2);
      out.raw(`${written === 0 ? '' : '\n  '}],\n${rest}\n}\n`);
    },
  };
}

const total = (side: Record<string, number>): number => Object.values(side).reduce((a, b) => a + b, 0);

/** Counts per state both ways; `counts` lists the same states on both sides (`orderedWhatIfCounts`). */
function printCounts(out: CliOutput, counts: WhatIfCounts): void {
  out.table(
    ['state', 'recorded', 'what-if'],
    [
      ...Object.keys(counts.recorded).map((s) => [
        s,
        String(counts.recorded[s]),
        String(counts.alternative[s]),
      ]),
      ['total', String(total(counts.recorded)), String(total(counts.alternative))],
    ],
  );
}

/**
 * `sanksi what-if --policy <id> [--until <date|instant>] [--case <pseId>]`: how cases would stand under
 * another policy version, its own deadlines and automatic escalations included (docs/regulation.md §11.4).
 */
export function register(program: Command, deps: CliDeps): void {
  program
    .command('what-if')
    .description(
      "Re-decide recorded commands under another policy version, with that policy's own deadlines and automatic escalations up to --until, and show where outcomes differ",
    )
    .requiredOption(
      '--policy <id>',
      `the alternative policy (${listPolicies()
        .map((p) => p.id)
        .join('|')})`,
    )
    .option(
      '--until <date|instant>',
      'business time to simulate up to: an ISO instant with offset, or a date (the end of that day, WIB) (default: now)',
    )
    .option('--case <pseId>', 'one case only (default: the whole population)')
    .option(
      '--limit <n>',
      `list at most this many differing cases (default: all with --json, else ${TEXT_REPORTS})`,
    )
    .option('--workers <n>', 'worker threads replaying cases (default: one per core)')
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      const policy = getPolicy(opts.policy);
      await withRuntime(deps, async (runtime) => {
        // Default: now, in WIB like every business time the regulation names (docs/regulation.md §9.2).
        const until = opts.until ?? toZone(runtime.clock.now().toISOString(), 'WIB');
        let cases: number;
        let differing: WhatIfReport[];
        let differingCount: number;
        let counts: WhatIfCounts;
        let single: WhatIfReport | null = null;
        if (opts.case) {
          single = whatIf(await runtime.history.events(opts.case), policy, { until });
          cases = 1;
          differing = single.differs ? [single] : [];
          differingCount = differing.length;
          const own = emptyWhatIfCounts();
          countWhatIf(own, single);
          counts = orderedWhatIfCounts(own);
        } else {
          const head = await runtime.eventStore.headPosition();
          const bar = out.progress('what-if', head);
          // Every report as JSON: written as they come back, never held (a million cases outgrew the heap).
          const stream = out.json && opts.limit === undefined ? streamedReports(out, policy.id, until) : null;
          const outcome = await replayPopulation(
            {
              store: runtime.eventStore,
              config: replayStoreConfig(runtime.config),
              head,
              youngMb: runtime.config.replayYoungMb,
            },
            { kind: 'what-if', policy: policy.id, until },
            opts.workers ?? defaultWorkers(),
            {
              onPositions: (n) => bar.increment(n),
              // Only what is shown is kept: at a million cases every report held would not fit in memory.
              keep: opts.limit ?? TEXT_REPORTS,
              onListed: stream?.add,
            },
          ).finally(() => bar.stop());
          if (stream)
            return stream.end({ cases: outcome.cases, differing: outcome.found, counts: outcome.counts });
          cases = outcome.cases;
          differing = outcome.findings.filter((f): f is WhatIfReport => 'differs' in f);
          differingCount = outcome.found;
          counts = outcome.counts;
        }
        const shown = differing.slice(0, opts.limit ?? TEXT_REPORTS);
        if (out.json) {
          out.data({
            policy: policy.id,
            until,
            cases,
            differing: differingCount,
            counts,
            reports: single ? [single] : shown,
          });
          return;
        }
        out.line(
          `${out.colour.bold(`What if under ${policy.id}`)} until ${until}: ${differingCount} of ${cases} case(s) would differ`,
        );
        for (const report of shown) printReport(out, report);
        if (shown.length < differingCount)
          out.line(out.colour.dim(`  … ${differingCount - shown.length} more (use --limit or --json)`));
        out.line();
        out.line(`Final states at ${until}:`);
        printCounts(out, counts);
      });
    });
}
