import { buildImportPlan, type ImportStats, RegistryImportError } from '@sanksi/application';
import { PolicyId } from '@sanksi/domain';
import type { Command } from 'commander';
import path from 'node:path';
import { z } from 'zod';
import { CliError, ExitCode } from '../cli.errors';
import { importRegistryPlan, type RegistryImportReport } from '../import/registry-importer';
import type { CliOutput } from '../output/cli-output';
import { type CliDeps, parseOptions, PositiveInt, withRuntime } from '../support/cli-context';
import { readMaybeGzipped, REGISTRY_ASSETS_DIR } from '../support/files';

const Options = z.object({
  snapshot: z.string().min(1),
  changes: z.string().min(1),
  policy: PolicyId,
  concurrency: PositiveInt(64),
  json: z.boolean().optional(),
});

function printSummary(
  out: CliOutput,
  report: RegistryImportReport,
  stats: ImportStats,
  projected: number,
): void {
  const c = out.colour;
  out.line(c.bold('Registry import'));
  out.line(`  systems in the plan       ${report.systems}`);
  out.line(
    `    without a domain        ${stats.systemsWithoutDomain} (${stats.systemsWithoutBlockableAddress} with no IP either: a block of theirs lists nothing on DNS)`,
  );
  out.line(
    `    addresses               ${stats.domains} domains, ${stats.appIds} app ids, ${stats.ipAddresses} IP addresses`,
  );
  const unnormalised = Object.entries(stats.unnormalisedAddresses);
  if (unnormalised.length > 0) {
    out.line(`    not normalised          ${unnormalised.map(([r, n]) => `${r}=${n}`).join(' ')}`);
  }
  out.line(`  cases created             ${report.casesCreated}`);
  out.line(`  cases already present     ${report.casesAlreadyPresent}`);
  out.line(`  commands applied          ${report.commandsApplied} (${report.eventsAppended} events)`);
  out.line(`  commands already applied  ${report.commandsAlreadyApplied}`);
  for (const [kind, n] of Object.entries(report.stepsSkipped)) {
    out.line(`  steps skipped (${kind})  ${n}`);
  }
  if (report.businessTimeClippedToCrawl > 0) {
    out.line(
      `  registrations dated after the crawl that showed them (business time = crawl time): ${report.businessTimeClippedToCrawl}`,
    );
  }
  out.line(`  rows rejected             ${report.rejectedRows.total}`);
  for (const [reason, n] of Object.entries(report.rejectedRows.byReason)) {
    out.line(
      `    ${reason}: ${n}${c.dim(` e.g. ${(report.rejectedRows.examples[reason] ?? []).join(' | ')}`)}`,
    );
  }
  out.line(`  refused by the domain     ${report.refusedByDomain.total}`);
  for (const [reason, n] of Object.entries(report.refusedByDomain.byReason)) {
    out.line(
      `    ${reason}: ${n}${c.dim(` e.g. ${(report.refusedByDomain.examples[reason] ?? []).join(' | ')}`)}`,
    );
  }
  out.line(
    `  final states              ${Object.entries(report.finalStates)
      .map(([s, n]) => `${s}=${n}`)
      .join(' ')}`,
  );
  out.line(`  read models: ${projected} events projected`);
  if (report.commandsApplied === 0)
    out.line(c.green('Nothing new: every case and step was already imported.'));
}

/** `sanksi import`: the registry data (snapshot + changes) into cases. */
export function register(program: Command, deps: CliDeps): void {
  program
    .command('import')
    .description(
      'Import the PSE registry data (snapshot + changes, gzip or plain CSV) into cases; re-runs append nothing',
    )
    .option(
      '--snapshot <file>',
      'snapshot CSV (gzip ok)',
      path.join(REGISTRY_ASSETS_DIR, 'snapshot-latest.csv.gz'),
    )
    .option('--changes <file>', 'changes CSV (gzip ok)', path.join(REGISTRY_ASSETS_DIR, 'changes.csv.gz'))
    .option('--policy <id>', 'policy version of the imported cases', 'kominfo-2022')
    .option('--concurrency <n>', 'systems imported in parallel', '8')
    .option('--json', 'machine-readable report on stdout')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      const out = deps.output(opts);
      const snapshotText = readMaybeGzipped(opts.snapshot);
      const changesText = readMaybeGzipped(opts.changes);
      let plan;
      try {
        plan = buildImportPlan(snapshotText, changesText);
      } catch (e) {
        if (e instanceof RegistryImportError) {
          throw new CliError(e.code, `the registry files cannot be read: ${e.message}`, ExitCode.failure);
        }
        throw e;
      }
      await withRuntime(deps, async (runtime) => {
        const bar = out.progress('import ', plan.systems.length);
        let report: RegistryImportReport;
        try {
          report = await importRegistryPlan(runtime.commands, plan, {
            policy: opts.policy,
            concurrency: opts.concurrency,
            onSystemDone: () => bar.increment(),
          });
        } finally {
          bar.stop();
        }
        const projected = await runtime.projector.catchUp();
        if (out.json) out.data({ ...report, planStats: plan.stats, projected });
        else printSummary(out, report, plan.stats, projected.applied);
      });
    });
}
