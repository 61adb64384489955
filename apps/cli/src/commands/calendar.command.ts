import type { Command } from 'commander';
import { CALENDAR_WARNING_MONTHS, checkCalendarHorizon, HOLIDAY_YEARS, localDate } from '@sanksi/domain';
import { z } from 'zod';
import { ExitCode } from '../cli.errors';
import { type CliDeps, parseOptions } from '../support/cli-context';

const CheckOptions = z.object({
  today: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }).optional(),
  months: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of months')
    .transform(Number)
    .pipe(z.number().int().min(0).max(120))
    .optional(),
  json: z.boolean().optional(),
});

/** `sanksi calendar check`: does the holiday table reach far enough ahead? (docs/calendar.md) */
export function register(program: Command, deps: CliDeps): void {
  const calendar = program
    .command('calendar')
    .description('The Indonesian working-day calendar deadlines are counted on');
  calendar
    .command('check')
    .description(
      `Check that the holiday table reaches at least --months (default ${CALENDAR_WARNING_MONTHS}) ahead; exit 1 with the yearly procedure if not`,
    )
    .option('--today <date>', 'the day to check from, YYYY-MM-DD (default: today in WIB)')
    .option('--months <n>', `how far ahead the table must reach (default ${CALENDAR_WARNING_MONTHS})`)
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nWorking-day deadlines past the last year of the table are refused (422). Each year, once the SKB on\n' +
        'national holidays and cuti bersama is signed, add the year (docs/calendar.md §Adding a year).\n' +
        'Run this from cron or CI to hear about it a year ahead.',
    )
    .action((raw: Record<string, unknown>) => {
      const opts = parseOptions(CheckOptions, raw);
      const out = deps.output(opts);
      const today = opts.today ?? localDate(new Date().toISOString(), 'WIB');
      const check = checkCalendarHorizon(today, opts.months);
      const years = HOLIDAY_YEARS.map((y) => ({
        year: y.year,
        holidays: y.holidays.length,
        provisional: y.holidays.filter((h) => h.provisional === true).length,
        source: y.source,
      }));
      if (out.json) out.data({ ...check, years });
      else {
        out.line(check.warn ? out.colour.red(`WARNING: ${check.message}`) : check.message);
        out.table(
          ['year', 'days off', 'provisional', 'source'],
          years.map((y) => [String(y.year), String(y.holidays), String(y.provisional), y.source]),
        );
      }
      if (check.warn) process.exitCode = ExitCode.failure;
    });
}
