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
    .description('The blocklist of domains and IP addresses for internet providers');
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
        // A recorded domain that is no host name (or IP entry that is no public IP) is left out of every
        // format, with a warning on stderr.
        const written = { domain: 0, ip: 0 };
        for (const e of list.entries) written[e.kind ?? 'domain'] += 1;
        const text = renderBlocklist(opts.format, list.entries, list.position, (dropped) => {
          written[dropped.kind ?? 'domain'] -= 1;
          out.error(
            `warning: blocklist entry of ${dropped.pseId} left out (${dropped.refusal.rule}): ${dropped.refusal.message}`,
          );
        });
        // txt and hosts carry host names only (their text says so in a comment line too).
        const carriesIps = opts.format !== 'txt' && opts.format !== 'hosts';
        if (written.ip > 0 && !carriesIps) {
          out.error(
            `note: ${written.ip} blocked IP address${written.ip === 1 ? '' : 'es'} left out: ${opts.format} carries host names only (use rpz, csv or json)`,
          );
        }
        if (opts.out) {
          const n = written.domain + (carriesIps ? written.ip : 0);
          writeFileSync(opts.out, text);
          out.error(`wrote ${n} entr${n === 1 ? 'y' : 'ies'} (${opts.format}) to ${opts.out}`);
        } else out.raw(text);
      });
    });
}
