import type { Command } from 'commander';
import { CASE_STATES, formatRupiah, formatWib } from '@sanksi/read-models';
import { z } from 'zod';
import { NotFoundError } from '../cli.errors';
import { type CliDeps, parseOptions, PositiveInt, withRuntime } from '../support/cli-context';

const ListOptions = z.object({
  state: z.enum(CASE_STATES).optional(),
  origin: z.enum(['domestic', 'foreign']).optional(),
  limit: PositiveInt(10_000),
  json: z.boolean().optional(),
});
const ShowOptions = z.object({ json: z.boolean().optional() });

/** `sanksi cases list|show`: the case read model. */
export function register(program: Command, deps: CliDeps): void {
  const cases = program.command('cases').description('List and show cases (from the read models)');
  cases
    .command('list')
    .description('List cases, ordered by case id')
    .option('--state <state>', `only cases in this state (${CASE_STATES.join('|')})`)
    .option('--origin <origin>', 'domestic|foreign')
    .option('--limit <n>', 'at most this many cases', '50')
    .option('--json', 'machine-readable output')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(ListOptions, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await runtime.projector.catchUp();
        const items = [];
        let cursor: string | undefined;
        while (items.length < opts.limit) {
          const page = await runtime.readModels.listCases({
            state: opts.state,
            origin: opts.origin,
            limit: Math.min(500, opts.limit - items.length),
            cursor,
          });
          items.push(...page.items);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        if (out.json) {
          out.data({ count: items.length, items });
          return;
        }
        out.table(
          ['pseId', 'name', 'origin', 'state', 'since', 'blocklisted', 'next deadline'],
          items.map((c) => [
            c.pseId,
            c.name.length > 40 ? `${c.name.slice(0, 39)}…` : c.name,
            c.origin,
            c.substate ? `${c.state}/${c.substate}` : c.state,
            formatWib(c.stateSince),
            c.onBlocklist ? 'yes' : 'no',
            c.nextDeadlineAt ? `${c.nextDeadlineKind} ${formatWib(c.nextDeadlineAt)}` : '-',
          ]),
        );
        out.line(out.colour.dim(`${items.length} case(s)`));
      });
    });
  cases
    .command('show')
    .description('Show one case: summary and timeline')
    .argument('<pseId>', 'the case id (e.g. reg-12345)')
    .option('--json', 'machine-readable output')
    .action(async (pseId: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(ShowOptions, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await runtime.projector.catchUp();
        const summary = await runtime.readModels.getCaseSummary(pseId);
        if (!summary) throw new NotFoundError('case', pseId);
        const timeline = await runtime.readModels.getTimeline(pseId);
        if (out.json) {
          out.data({ summary, timeline });
          return;
        }
        const c = out.colour;
        out.line(`${c.bold(summary.name)} (${summary.pseId})`);
        out.line(
          `  state        ${summary.substate ? `${summary.state}/${summary.substate}` : summary.state} since ${formatWib(summary.stateSince)}`,
        );
        out.line(`  origin       ${summary.origin}${summary.company ? `, ${summary.company}` : ''}`);
        out.line(`  domains      ${summary.domains.join(', ') || '-'}`);
        out.line(`  blocklisted  ${summary.onBlocklist ? c.red('yes') : 'no'}`);
        out.line(`  registration ${summary.registrationNumber ?? '-'}`);
        out.line(`  policy       ${summary.policyVersion}, version ${summary.version}`);
        out.line(
          `  warnings ${summary.warnings}, blocks ${summary.blocks}, fines outstanding ${formatRupiah(summary.finesOutstandingIdr)}`,
        );
        if (summary.nextDeadlineAt)
          out.line(`  next deadline ${summary.nextDeadlineKind} ${formatWib(summary.nextDeadlineAt)}`);
        if (summary.escalationPending)
          out.line(c.yellow(`  escalation pending: ${summary.escalationAllowed.join(', ')}`));
        out.line();
        out.table(
          ['#', 'occurred (WIB)', 'event', 'state after', 'what happened'],
          timeline.map((t) => [
            String(t.revision),
            formatWib(t.occurredAt),
            t.eventType,
            t.substateAfter ? `${t.stateAfter}/${t.substateAfter}` : t.stateAfter,
            t.line,
          ]),
        );
      });
    });
}
