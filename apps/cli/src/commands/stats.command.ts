import type { Command } from 'commander';
import { localDate, toZone } from '@sanksi/domain';
import { CASE_STATES, formatWib } from '@sanksi/read-models';
import { z } from 'zod';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';
import { registerPagedStats } from './stats-pages.command';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

// Dates stay dates (the end of that day in WIB, which the read models answer from their daily
// counts); instants need an offset, so that no one's local time zone decides what they mean.
const TimeBound = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be a date (2022-08-01: the end of that day in WIB) or an ISO-8601 instant with offset',
});

const Options = z.object({
  asOf: TimeBound.optional(),
  knownAt: TimeBound.optional(),
  json: z.boolean().optional(),
});

/** A bound for people: "2022-08-01 (end of day WIB)" or "2022-08-05 12:00 WIB". */
const describeBound = (bound: string): string =>
  DATE_ONLY.test(bound) ? `${bound} (end of day WIB)` : formatWib(bound);

/** A bound for machines, as the API gives it: a date as asked, an instant in WIB. */
const jsonBound = (bound: string): string => (DATE_ONLY.test(bound) ? bound : toZone(bound, 'WIB'));

/** `sanksi stats states [--as-of D] [--known-at T]` (the population per state, bitemporally) and the paged lists. */
export function register(program: Command, deps: CliDeps): void {
  const stats = program.command('stats').description('Statistics over the read models');
  stats
    .command('states')
    .description(
      'How many cases were in each state at a business time (--as-of), as known at a record time (--known-at)',
    )
    .option(
      '--as-of <date|instant>',
      'business time: a date (YYYY-MM-DD, the end of that day in WIB) or an ISO-8601 instant with offset (default: today)',
    )
    .option(
      '--known-at <date|instant>',
      'record time: count only what had been recorded by then, in the same forms (default: everything recorded)',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nEach case counts in the state its last event (in the case’s order) that occurred by --as-of and was\n' +
        'recorded by --known-at led to; a case with no such event is not counted. --known-at may lie before --as-of.\n' +
        'Example: sanksi stats states --as-of 2022-08-01 --known-at 2022-08-05',
    )
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await runtime.projector.catchUp();
        const asOf = opts.asOf ?? localDate(runtime.clock.now().toISOString(), 'WIB');
        const result = await runtime.readModels.getStateCounts(asOf, { knownAt: opts.knownAt });
        if (out.json) {
          out.data({
            ...result,
            asOf: jsonBound(result.asOf),
            knownAt: result.knownAt === null ? null : jsonBound(result.knownAt),
          });
          return;
        }
        out.line(
          `Cases per state on ${describeBound(result.asOf)}, as known ${
            result.knownAt === null ? 'now (everything recorded)' : `at ${describeBound(result.knownAt)}`
          }:`,
        );
        out.table(
          ['state', 'cases'],
          [...CASE_STATES.map((s) => [s, String(result.counts[s])]), ['total', String(result.total)]],
        );
      });
    });
  registerPagedStats(stats, deps);
}
