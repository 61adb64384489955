import { copySqliteToPostgres, describePoolError, StoreCopyRefused } from '@sanksi/event-store';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, ExitCode } from '../cli.errors';
import { type CliDeps, parseOptions } from '../support/cli-context';

const CopyOptions = z.object({
  to: z
    .string({ message: 'is required: the PostgreSQL database to copy into (postgres://…)' })
    .refine((url) => /^postgres(ql)?:\/\//.test(url), 'must be a postgres:// or postgresql:// URL'),
  json: z.boolean().optional(),
});

/** A PostgreSQL URL without its password, for output. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the --to URL';
  }
}

/** `sanksi store copy --to URL`: the embedded SQLite event store, as it is, into PostgreSQL. */
export function register(program: Command, deps: CliDeps): void {
  const store = program.command('store').description('The event store itself: copy it to PostgreSQL');
  store
    .command('copy')
    .description(
      'Copy the whole log of the SQLite event store (every event at its position, every command record) into an empty PostgreSQL event store',
    )
    .option(
      '--to <url>',
      'the PostgreSQL database to copy into (its schema event_store must hold nothing yet)',
    )
    .option('--json', 'machine-readable report')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(CopyOptions, raw);
      const out = deps.output(opts);
      const config = deps.config();
      if (config.eventStore.kind !== 'sqlite')
        throw new CliError(
          'STORE_COPY_REFUSED',
          `store copy reads the embedded SQLite event store (SANKSI_EVENT_STORE=sqlite, SANKSI_DATA_DIR); this configuration uses ${config.eventStore.kind}`,
          ExitCode.usage,
        );
      const started = Date.now();
      let bar: ReturnType<typeof out.progress> | undefined;
      let shown = 0;
      try {
        const result = await copySqliteToPostgres({
          sourceFile: config.eventStore.file,
          connectionString: opts.to,
          onProgress: (copied, total) => {
            bar ??= out.progress('copy', total);
            bar.increment(copied - shown);
            shown = copied;
          },
        });
        bar?.stop();
        const report = {
          from: config.eventStore.file,
          to: withoutPassword(opts.to),
          ...result,
          seconds: Math.round((Date.now() - started) / 100) / 10,
        };
        if (out.json) out.data(report);
        else {
          out.line(
            `Copied ${result.events} event(s) and ${result.commands} command record(s) to ${report.to} (last position ${result.headPosition}) in ${report.seconds} s`,
          );
          out.line(
            '  next: SANKSI_EVENT_STORE=postgres DATABASE_URL=<that URL> sanksi verify, then sanksi projections rebuild',
          );
        }
      } catch (e) {
        bar?.stop();
        if (e instanceof StoreCopyRefused) throw new CliError(e.code, e.message, ExitCode.usage);
        if (e instanceof CliError) throw e;
        const { code, reason } = describePoolError(e);
        throw new CliError(
          'STORE_COPY_FAILED',
          `store copy failed, nothing was committed to the target: ${reason}`,
          code === 'ECONNREFUSED' || code === '57P03' ? ExitCode.unavailable : ExitCode.failure,
          code ? { code } : {},
        );
      }
    });
}
