import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import path from 'node:path';
import { parseCsvWithHeader, type TrafficRowResult, validateTrafficRow } from '@sanksi/application';
import { normaliseSystemAddress, trafficPeriodProblem, TrafficSource } from '@sanksi/domain';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../cli.errors';
import { trafficScenario, type TrafficScenario } from '../simulate/traffic-simulator';
import { type CliDeps, parseOptions, PositiveInt, withRuntime } from '../support/cli-context';
import { readMaybeGzipped, REGISTRY_ASSETS_DIR } from '../support/files';

const Options = z.object({
  domains: PositiveInt(1_000_000),
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
  unregistered: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(1000)),
  top: PositiveInt(10_000),
  period: z.string().superRefine((value, ctx) => {
    const problem = trafficPeriodProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  source: TrafficSource,
  registry: z.string().min(1),
  out: z.string().min(1).optional(),
  json: z.boolean().optional(),
});

/** The host names of the registry snapshot's website field (the import's normaliser), in file order. */
export function registryHostnames(file: string): string[] {
  const rows = parseCsvWithHeader(readMaybeGzipped(file), file, ['website']);
  const names = new Set<string>();
  for (const row of rows)
    for (const h of normaliseSystemAddress(row.values['website'] ?? '').hostnames) names.add(h);
  return [...names];
}

async function writeCsv(file: string, scenario: TrafficScenario): Promise<number> {
  const sink = createWriteStream(file);
  const out = file.endsWith('.gz') ? createGzip() : null;
  if (out) out.pipe(sink);
  const target = out ?? sink;
  let rows = 0;
  let chunk = 'domain,period,visits,rank,source\n';
  for (const r of scenario.rows()) {
    chunk += `${r.domain},${r.period},${r.visits},${r.rank},${r.source}\n`;
    rows++;
    if (chunk.length > 1 << 16) {
      if (!target.write(chunk)) await once(target, 'drain');
      chunk = '';
    }
  }
  target.end(chunk);
  await once(sink, 'finish');
  return rows;
}

/** `sanksi simulate traffic`: a seeded Zipf-like traffic scenario with a known answer (issue 14). */
export function registerSimulateTraffic(simulate: Command, deps: CliDeps): void {
  simulate
    .command('traffic')
    .description(
      'Simulate traffic: Zipf-like visits over up to a million domains, the registry’s domains among them and a known set of ' +
        'unregistered high-traffic ones in the top ranks (seeded); to a CSV file (--out) or straight into the log',
    )
    .option('--domains <n>', 'how many domains get traffic', '100000')
    .option('--seed <s>', 'PRNG seed (default 1; same seed, same scenario)')
    .option('--unregistered <n>', 'unregistered domains hidden in the top ranks', '14')
    .option('--top <n>', 'the reviewed top of the ranking', '100')
    .option('--period <period>', 'the period observed', '2022-07')
    .option('--source <source>', 'the source named in the rows', 'simulated')
    .option(
      '--registry <file>',
      'registry snapshot whose website domains are among the traffic',
      path.join(REGISTRY_ASSETS_DIR, 'snapshot-latest.csv.gz'),
    )
    .option('--out <file>', 'write CSV here (gzip when it ends in .gz) instead of recording into the log')
    .option('--json', 'machine-readable report')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      // `--seed` and `--json` are options of `simulate` too: commander may hand them to the parent.
      const opts = parseOptions(Options, { seed: '1', ...command.optsWithGlobals(), ...raw });
      const out = deps.output(opts);
      let scenario: TrafficScenario;
      try {
        scenario = trafficScenario({ ...opts, registryDomains: registryHostnames(opts.registry) });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
      const key = { unregistered: scenario.unregistered, threshold: scenario.threshold, period: opts.period };
      if (opts.out) {
        const rows = await writeCsv(opts.out, scenario);
        if (out.json) return out.data({ file: opts.out, rows, ...key });
        out.line(`Wrote ${rows} observations to ${opts.out}`);
      } else {
        await withRuntime(deps, async (runtime) => {
          const bar = out.progress('traffic', opts.domains);
          const rows = (function* (): Generator<TrafficRowResult> {
            let line = 0;
            // Through the ingest's own validation: registry names become the same matching keys as imported ones.
            for (const r of scenario.rows()) yield validateTrafficRow(++line, r);
          })();
          const report = await runtime.traffic
            .ingest(rows, { actor: { id: 'simulator', role: 'admin' }, onProgress: (n) => bar.update(n) })
            .finally(() => bar.stop());
          await runtime.trafficProjector.catchUp();
          if (out.json) return out.data({ ...report, rejections: undefined, ...key });
          out.line(`Recorded ${report.recorded} observations (${report.duplicates} already recorded)`);
        });
        if (out.json) return;
      }
      out.line(
        `Unregistered high-traffic domains (discovery --period ${opts.period} --min-visits ${scenario.threshold} finds exactly these once the registry is imported):`,
      );
      for (const u of scenario.unregistered) out.line(`  #${u.rank} ${u.domain} ${u.visits}`);
    });
}
