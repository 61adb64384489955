import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { type CliDeps, parseOptions, withRuntime } from '../support/cli-context';

// Kept in step with @sanksi/api's BLOCKLIST_FORMATS (the renderer is loaded lazily: the API package loads NestJS).
const BLOCKLIST_FORMATS = ['txt', 'hosts', 'rpz', 'csv', 'json'] as const;

const Options = z.object({
  format: z.enum(BLOCKLIST_FORMATS),
  out: z.string().min(1).optional(),
});

/** `sanksi blocklist export --format txt|hosts|rpz|csv|json [--out file]`. */
export function register(program: Command, deps: CliDeps): void {
  const blocklist = program
    .command('blocklist')
    .description('The blocklist of domains for internet providers');
  blocklist
    .command('export')
    .description('Write the current blocklist (after projecting the log) to stdout or a file')
    .option('--format <format>', `output format (${BLOCKLIST_FORMATS.join('|')})`, 'txt')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output({ json: opts.format === 'json' });
      await withRuntime(deps, async (runtime) => {
        await runtime.projector.catchUp();
        const list = await runtime.readModels.getBlocklist();
        const { renderBlocklist } = await import('@sanksi/api');
        // A recorded domain that is no host name is left out of every format, with a warning on stderr.
        let written = list.entries.length;
        const text = renderBlocklist(opts.format, list.entries, list.position, (dropped) => {
          written -= 1;
          out.error(
            `warning: blocklist entry of ${dropped.pseId} left out (${dropped.refusal.rule}): ${dropped.refusal.message}`,
          );
        });
        if (opts.out) {
          writeFileSync(opts.out, text);
          out.error(`wrote ${written} entr${written === 1 ? 'y' : 'ies'} (${opts.format}) to ${opts.out}`);
        } else out.raw(text);
      });
    });
}
