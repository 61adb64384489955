import {
  DiscoveryCandidateNotFound,
  DiscoveryDomainInvalid,
  openCaseFromDiscovery,
  parseTrafficLines,
  TrafficCsvHeaderInvalid,
  trafficFormatOf,
  type TrafficIngestReport,
} from '@sanksi/application';
import { PolicyId, PseId, trafficPeriodProblem, TrafficSource } from '@sanksi/domain';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, ExitCode, InputFileError, UsageError } from '../cli.errors';
import type { CliOutput } from '../output/cli-output';
import { type CliDeps, parseOptions, PositiveInt, withRuntime } from '../support/cli-context';
import { streamLines } from '../support/line-reader';

const Period = z.string().superRefine((value, ctx) => {
  const problem = trafficPeriodProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const ImportOptions = z.object({
  file: z.string().min(1),
  format: z.enum(['csv', 'jsonl']).optional(),
  source: TrafficSource.optional(),
  period: Period.optional(),
  json: z.boolean().optional(),
});
const DiscoveryOptions = z.object({
  period: Period.optional(),
  minVisits: z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).optional(),
  limit: PositiveInt(1000),
  json: z.boolean().optional(),
});
const OpenOptions = z.object({
  domain: z.string().min(1),
  pseId: PseId.optional(),
  name: z.string().trim().min(1).max(200).optional(),
  origin: z.enum(['domestic', 'foreign']).optional(),
  policy: PolicyId.optional(),
  period: Period.optional(),
  json: z.boolean().optional(),
});

// At most this many refused rows are printed for people; --json carries the service's whole list.
const SHOWN_REJECTIONS = 20;

function printImport(out: CliOutput, file: string, report: TrafficIngestReport, projected: number): void {
  out.line(out.colour.bold(`Traffic import of ${file}`));
  out.line(`  rows read          ${report.rows}`);
  out.line(`  facts recorded     ${report.recorded}`);
  out.line(`  already recorded   ${report.duplicates}`);
  out.line(`  rows refused       ${report.rejected}`);
  for (const r of report.rejections.slice(0, SHOWN_REJECTIONS)) out.line(`    line ${r.line}: ${r.reason}`);
  if (report.rejected > SHOWN_REJECTIONS)
    out.line(`    … and ${report.rejected - SHOWN_REJECTIONS} more (--json lists up to 1,000)`);
  out.line(`  streams            ${report.streams.join(' ') || '-'}`);
  out.line(`  read models: ${projected} traffic events projected`);
}

/** `sanksi traffic import FILE`, `sanksi discovery` and `sanksi discovery open DOMAIN` (issue 14). */
export function register(program: Command, deps: CliDeps): void {
  const traffic = program
    .command('traffic')
    .description('Traffic observations: the input that reveals unregistered platforms');
  traffic
    .command('import <file>')
    .description(
      'Record traffic observations from a CSV (with a header: domain,period,visits,rank,source) or JSON-lines file ' +
        '(gzip ok), streamed; good rows are recorded once per (domain, period, source), refused rows are listed by line ' +
        'and make the exit code 1',
    )
    .option('--format <format>', 'csv|jsonl (default: by the file name)')
    .option('--source <source>', 'the source of rows that name none (e.g. similarweb)')
    .option('--period <period>', 'the period of rows that name none (YYYY-MM, YYYY-MM-DD or a range A/B)')
    .option('--json', 'machine-readable report')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(ImportOptions, { ...raw, file }, ['file']);
      const out = deps.output(opts);
      const format = opts.format ?? trafficFormatOf(opts.file);
      if (!format)
        throw new UsageError(
          `cannot tell the format of ${opts.file}: name it .csv or .jsonl, or give --format`,
        );
      const file$ = streamLines(opts.file);
      await withRuntime(deps, async (runtime) => {
        const bar = out.progress('traffic', file$.size);
        let report: TrafficIngestReport;
        try {
          report = await runtime.traffic.ingest(
            parseTrafficLines(file$.lines, format, { source: opts.source, period: opts.period }),
            {
              actor: { id: 'cli', role: 'admin' },
              correlationId: null,
              onProgress: () => bar.update(file$.bytesRead()),
            },
          );
        } catch (e) {
          if (e instanceof TrafficCsvHeaderInvalid) throw new InputFileError(opts.file, e.message);
          throw e;
        } finally {
          bar.stop();
        }
        const projected = await runtime.trafficProjector.catchUp();
        if (out.json) out.data({ file: opts.file, ...report, projected: projected.applied });
        else printImport(out, opts.file, report, projected.applied);
        if (report.rejected > 0) {
          throw new CliError(
            'TRAFFIC_ROWS_REFUSED',
            `${report.rejected} of ${report.rows} rows were refused (the others were recorded)`,
            ExitCode.failure,
            { rejected: report.rejected, rows: report.rows },
          );
        }
      });
    });

  const discovery = program
    .command('discovery')
    .description('High-traffic domains with no case and no registration, ranked (candidates for new cases)')
    .option('--period <period>', 'one period (YYYY-MM, a day or a range); default: each domain’s latest')
    .option('--min-visits <n>', 'only domains with at least this many visits')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable list')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(DiscoveryOptions, raw);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await Promise.all([runtime.projector.catchUp(), runtime.trafficProjector.catchUp()]);
        const candidates = await runtime.readModels.findDiscoveryCandidates({
          period: opts.period,
          minVisits: opts.minVisits,
          limit: opts.limit,
        });
        if (out.json) return out.data({ period: opts.period ?? null, candidates });
        if (candidates.length === 0) return out.line('No candidates: every observed domain has a case.');
        out.table(
          ['#', 'domain', 'period', 'visits', 'rank', 'sources'],
          candidates.map((c) => [
            String(c.rankInList),
            c.domain,
            c.period,
            c.visits === null ? '' : c.visits.toLocaleString('en-US'),
            c.rank === null ? '' : String(c.rank),
            c.sources.join(','),
          ]),
        );
      });
    });
  discovery
    .command('open <domain>')
    .description(
      'Open a case for a candidate: PseIdentified with source traffic-monitoring and the observation as evidence',
    )
    .option('--pse-id <id>', 'the case id (default traffic-<domain>)')
    .option('--name <name>', 'the system’s name (default: the domain)')
    .option('--origin <origin>', 'domestic|foreign (default foreign)')
    .option('--policy <id>', 'policy version (default: the configured one)')
    .option('--period <period>', 'the period of the observation to cite (default: the latest)')
    .option('--json', 'machine-readable outcome')
    .action(async (domain: string, raw: Record<string, unknown>, command: Command) => {
      // `--json` and `--period` are also options of `discovery`: commander may hand them to the parent.
      const opts = parseOptions(OpenOptions, { ...command.optsWithGlobals(), ...raw, domain }, ['domain']);
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        await Promise.all([runtime.projector.catchUp(), runtime.trafficProjector.catchUp()]);
        try {
          const { outcome, candidate } = await openCaseFromDiscovery(
            runtime,
            {
              domain: opts.domain,
              pseId: opts.pseId,
              name: opts.name,
              origin: opts.origin,
              policy: opts.policy,
              period: opts.period,
            },
            { actor: { id: 'cli', role: 'operator' } },
          );
          await runtime.projector.catchUp();
          if (out.json) return out.data({ ...outcome, evidence: candidate });
          out.line(
            `Opened case ${outcome.pseId} (${outcome.state}) for ${candidate.domain}: ${candidate.visits ?? '?'} visits, rank ${candidate.rank ?? '?'} in ${candidate.period}`,
          );
        } catch (e) {
          if (e instanceof DiscoveryDomainInvalid) throw new UsageError(e.message);
          if (e instanceof DiscoveryCandidateNotFound) {
            throw new CliError('NOT_A_CANDIDATE', e.message, ExitCode.notFound, { domain: e.domain });
          }
          throw e;
        }
      });
    });
}
