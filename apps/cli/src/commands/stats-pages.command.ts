import type { Command } from 'commander';
import { formatWib, InvalidQuery } from '@sanksi/read-models';
import { z } from 'zod';
import { UsageError } from '../cli.errors';
import { type CliDeps, InstantOption, parseOptions, PositiveInt, withRuntime } from '../support/cli-context';

/** The paging options every list statistic takes, as `GET /v1/stats/...` has them (at most 500 a page). */
const PageOptions = {
  limit: PositiveInt(500).optional(),
  cursor: z.string().min(1).max(500).optional(),
  json: z.boolean().optional(),
};
const DeadlinesOptions = z.object({ before: InstantOption.optional(), ...PageOptions });
const ListOptions = z.object(PageOptions);

const LIMIT_HELP = 'rows per page, at most 500 (default 50)';
const CURSOR_HELP = 'the next page: the cursor the previous page printed';

/** A page query whose cursor the store does not recognise is a usage error (exit 2), naming the option. */
async function pageQuery<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (e) {
    if (e instanceof InvalidQuery) throw new UsageError(`--${e.field}: ${e.message}`, [e.message]);
    throw e;
  }
}

/** How to ask for the page after this one, or nothing on the last page. */
const nextPageHint = (command: string, nextCursor: string | null): string | null =>
  nextCursor === null ? null : `More: sanksi stats ${command} --cursor ${nextCursor}`;

/**
 * `sanksi stats deadlines|escalation-queue|warning-to-registration`: the list statistics, one page at
 * a time (docs/read-models.md), so a large population never comes back in one answer.
 */
export function registerPagedStats(stats: Command, deps: CliDeps): void {
  stats
    .command('deadlines')
    .description('Pending deadlines due by an instant (default now), soonest first, a page at a time')
    .option('--before <instant>', 'due at or before this ISO-8601 instant or date (end of that day, WIB)')
    .option('--limit <n>', LIMIT_HELP)
    .option('--cursor <cursor>', `${CURSOR_HELP} (with the same --before)`)
    .option('--json', 'machine-readable output: { before, deadlines, nextCursor }')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(DeadlinesOptions, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await runtime.projector.runOnce();
        const before = opts.before ?? runtime.clock.now().toISOString();
        const page = await pageQuery(() => runtime.readModels.getDueDeadlines(before, opts));
        if (out.json) {
          out.data({ before, deadlines: page.items, nextCursor: page.nextCursor });
          return;
        }
        out.line(`Deadlines due by ${formatWib(before)}:`);
        out.table(
          ['due', 'case', 'kind', 'fine', 'state'],
          page.items.map((d) => [formatWib(d.dueAt), d.pseId, d.kind, d.fineId ?? '', d.caseState]),
        );
        const hint = nextPageHint(`deadlines --before ${before}`, page.nextCursor);
        if (hint) out.line(hint);
      });
    });
  stats
    .command('escalation-queue')
    .description(
      'Cases awaiting an operator after an elapsed deadline, largest traffic first, a page at a time',
    )
    .option('--limit <n>', LIMIT_HELP)
    .option('--cursor <cursor>', CURSOR_HELP)
    .option('--json', 'machine-readable output: { entries, nextCursor }')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(ListOptions, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await runtime.projector.runOnce();
        const page = await pageQuery(() => runtime.readModels.getEscalationQueue(opts));
        if (out.json) {
          out.data({ entries: page.items, nextCursor: page.nextCursor });
          return;
        }
        out.table(
          ['case', 'state', 'since', 'allowed', 'visits'],
          page.items.map((e) => [
            e.pseId,
            e.substate ? `${e.state}.${e.substate}` : e.state,
            e.since === null ? '' : formatWib(e.since),
            e.allowed.join(', '),
            e.visits === null ? '' : String(e.visits),
          ]),
        );
        const hint = nextPageHint('escalation-queue', page.nextCursor);
        if (hint) out.line(hint);
      });
    });
  stats
    .command('warning-to-registration')
    .description(
      'Time from a written warning to registration: figures over every case, the cases a page at a time',
    )
    .option('--limit <n>', LIMIT_HELP)
    .option('--cursor <cursor>', CURSOR_HELP)
    .option('--json', 'machine-readable output, as GET /v1/stats/warning-to-registration')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(ListOptions, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await runtime.projector.runOnce();
        const stats = await pageQuery(() => runtime.readModels.getWarningToRegistration(opts));
        if (out.json) {
          out.data(stats);
          return;
        }
        const days = (d: number | null) => (d === null ? '' : d.toFixed(2));
        out.line(
          `${stats.registered} registered after a warning (median ${days(stats.medianDays) || '-'} days, ` +
            `average ${days(stats.averageDays) || '-'} days), ${stats.pending} still pending`,
        );
        out.table(
          ['case', 'warned', 'registered', 'days'],
          stats.cases.map((c) => [
            c.pseId,
            formatWib(c.warnedAt),
            c.registeredAt === null ? '' : formatWib(c.registeredAt),
            days(c.days),
          ]),
        );
        const hint = nextPageHint('warning-to-registration', stats.nextCursor);
        if (hint) out.line(hint);
      });
    });
}
