import type { Command } from 'commander';
import { PolicyId, WhatIfUntil } from '@sanksi/domain';
import { bulkAppendsOf } from '@sanksi/event-store';
import { z } from 'zod';
import type { CliOutput } from '../output/cli-output';
import {
  mergeSimulationReports,
  simulatePopulation,
  type SimulationReport,
} from '../simulate/population-simulator';
import { startProjectionThread } from '../simulate/projection-thread';
import { simulateOnThreads, simulateThreadsAvailable } from '../simulate/simulate-threads';
import { UsageError } from '../cli.errors';
import { registerSimulateTraffic } from './simulate-traffic.command';
import { type CliDeps, parseOptions, PositiveInt, withRuntime } from '../support/cli-context';

const Options = z.object({
  systems: PositiveInt(1_000_000),
  seed: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 31),
    ),
  policy: PolicyId,
  concurrency: PositiveInt(1024),
  threads: PositiveInt(64).optional(),
  until: WhatIfUntil.optional(),
  json: z.boolean().optional(),
});

function printSummary(out: CliOutput, report: SimulationReport, projected: number): void {
  const entries = (r: Record<string, number>) =>
    Object.entries(r)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k}=${n}`)
      .join(' ');
  out.line(
    out.colour.bold(`Simulated ${report.systems} system(s), seed ${report.seed}, policy ${report.policy}`),
  );
  out.line(`  cases created             ${report.casesCreated}`);
  out.line(`  cases already present     ${report.casesAlreadyPresent}`);
  out.line(`  commands applied          ${report.commandsApplied} (${report.eventsAppended} events)`);
  out.line(`  commands already applied  ${report.commandsAlreadyApplied}`);
  out.line(`  commands by type          ${entries(report.commandsByType)}`);
  out.line(`  refused by the domain     ${entries(report.refusedByDomain) || '0'}`);
  out.line(`  final states              ${entries(report.finalStates)}`);
  out.line(`  read models: ${projected} events projected`);
}

/**
 * Threads by default where the store keeps the threads' commits in turn (SQLite: the log is then the same on
 * every run): at a million systems on 2 cores, two threads took 29 % off one (docs/benchmarks.md).
 */
const DEFAULT_THREADS = 2;

/** `sanksi simulate --systems N --seed S`: a synthetic population with histories, for load and scale. */
export function register(program: Command, deps: CliDeps): void {
  const simulate = program
    .command('simulate')
    .description(
      'Create a realistic synthetic population with histories through the real command path (seeded, repeatable)',
    )
    // Checked by the options schema, not by commander: a required option here would be required of `simulate traffic` too.
    .option('--systems <n>', 'how many systems (required)')
    .option('--seed <s>', 'PRNG seed (same seed, same population)', '1')
    .option(
      '--policy <id>',
      'policy version of the simulated cases (mr5-literal|kominfo-2022|pp43-2023)',
      'pp43-2023',
    )
    .option(
      '--concurrency <n>',
      'systems simulated in parallel (per thread; their appends of one turn share a transaction, and on PostgreSQL the next batch is decided while the server writes the last)',
      '128',
    )
    .option(
      '--threads <n>',
      `worker threads, each with its own connection, simulating a share of the systems (same population; default ${DEFAULT_THREADS} on the embedded SQLite store, whose threads commit in turn, else 1)`,
    )
    .option(
      '--until <date|instant>',
      'business time the simulated scheduler brings each case to once its story ends: the deadlines still running and due by then elapse at their due instants, as a running server would have elapsed them (default: now, so a first serve has nothing to catch up; an earlier instant leaves them running)',
    )
    .option('--json', 'machine-readable report')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(Options, raw);
      // One instant for every thread, checked before anything is opened. Not later than now: the scheduler
      // elapses only what is already due.
      const now = new Date();
      const until = opts.until ?? now.toISOString();
      if (Date.parse(until) > now.getTime())
        throw new UsageError(
          `invalid arguments: --until: ${opts.until} is later than now (${now.toISOString()}); give an earlier instant, or leave it out for now`,
        );
      const out = deps.output(opts);
      await withRuntime(deps, async (runtime) => {
        // Read models never projected (a fresh data directory) are replayed as a rebuild replays them — their
        // search and order indexes built once at the end instead of on every batch — by a thread that follows
        // the log while this one appends (issue 10). Otherwise they catch up once the appends are done.
        const projection =
          (await runtime.readModels.getCheckpoint()) === 0 ? startProjectionThread(deps.env) : undefined;
        const bar = out.progress('simulate', opts.systems);
        let report: SimulationReport;
        // One process appends a long burst: the store may commit a turn's appends together (issue 10).
        const bulk = bulkAppendsOf(runtime.eventStore);
        const endBulk = bulk?.beginBulkAppends();
        const threads =
          opts.threads ?? (bulk !== undefined && simulateThreadsAvailable() ? DEFAULT_THREADS : 1);
        try {
          const options = {
            systems: opts.systems,
            seed: opts.seed,
            policy: opts.policy,
            concurrency: opts.concurrency,
            until,
          };
          // On threads of their own, even one: a thread gets a young generation sized for the turns it decides
          // and appends (SANKSI_SIMULATE_YOUNG_MB), which the main thread cannot be given once started.
          report =
            threads > 1 || simulateThreadsAvailable()
              ? await simulateOnThreads(options, threads, (n) => bar.increment(n), deps.env)
              : mergeSimulationReports([
                  await simulatePopulation(runtime.commands, {
                    ...options,
                    onSystemDone: () => bar.increment(),
                  }),
                ]);
        } catch (e) {
          await projection?.stop();
          throw e;
        } finally {
          endBulk?.();
          bar.stop();
        }
        const projected = projection
          ? await projection.finish()
          : (await runtime.readModels.getCheckpoint()) === 0
            ? await runtime.projector.rebuild()
            : await runtime.projector.catchUp();
        if (out.json) out.data({ ...report, projected });
        else printSummary(out, report, projected.applied);
      });
    });
  registerSimulateTraffic(simulate, deps);
}
