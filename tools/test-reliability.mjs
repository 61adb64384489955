#!/usr/bin/env node
// `npm run test:reliability`: the reliability suite at full size (SANKSI_RELIABILITY_FULL=1: 50 kill
// points, 10,000 racing commands...). Builds, brings up Kafka and PostgreSQL, runs every spec whose file
// name matches RELIABILITY_SPECS in every project (each with its own jest config, one at a time), then
// prints the figures the specs recorded — the ones docs/reliability.md reports. `npm test` runs the
// same specs at their quick size as part of each project's tests.
//   node tools/test-reliability.mjs [name filter]   e.g. `... worker-kill` runs the matching specs only
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
// Specs join the suite by name: *.reliability.*, *fuzz*, *outage*, *restart* (e.g. the HTTP fuzzer,
// the Kafka outage and the PostgreSQL restart specs), and the dependency audit check.
export const RELIABILITY_SPECS = /(reliability|fuzz|outage|restart|audit)[^/]*\.spec\.ts$/;
const filter = process.argv[2];
const figuresDir = path.join(root, 'tmp', 'reliability-figures');
const skipInfra = process.env.SANKSI_TEST_NO_INFRA === '1';
const infraEnv = { SANKSI_INFRA_OWNER: `test-reliability-${process.pid}` };
process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';

function run(label, cmd, args, env = {}) {
  console.log(`\n== ${label}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(
    `== ${label}: ${r.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
  return r.status === 0;
}

/** Every matching spec, grouped by the project (the directory holding its jest.config.js). */
function specsByProject() {
  const projects = new Map();
  for (const group of ['apps', 'libs']) {
    for (const name of readdirSync(path.join(root, group))) {
      const dir = path.join(root, group, name);
      if (!existsSync(path.join(dir, 'jest.config.js'))) continue;
      const files = [];
      const walk = (d) => {
        for (const entry of readdirSync(d)) {
          if (entry === 'node_modules' || entry === 'dist') continue;
          const p = path.join(d, entry);
          if (statSync(p).isDirectory()) walk(p);
          else if (RELIABILITY_SPECS.test(p) && (!filter || p.includes(filter))) files.push(p);
        }
      };
      if (existsSync(path.join(dir, 'src'))) walk(path.join(dir, 'src'));
      if (files.length > 0) projects.set(dir, files.sort());
    }
  }
  return projects;
}

function printFigures() {
  if (!existsSync(figuresDir)) return;
  const files = readdirSync(figuresDir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) return;
  console.log('\n== figures');
  for (const f of files.sort()) {
    const { test, profile, ...figures } = JSON.parse(readFileSync(path.join(figuresDir, f), 'utf8'));
    console.log(`\n${test} (${profile})`);
    const width = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(width)}  ${v}`);
  }
}

let ok = true;
let infraUp = false;
const started = Date.now();
try {
  rmSync(figuresDir, { recursive: true, force: true });
  mkdirSync(figuresDir, { recursive: true });
  if (!skipInfra) {
    infraUp = run('infra: start Kafka and PostgreSQL', 'bash', ['infra/up.sh'], infraEnv);
    if (!infraUp) throw new Error('infra/up.sh failed: the services the suite needs could not be started');
  }
  if (!run('build', 'npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'])) {
    throw new Error('the build failed: the process specs run the built apps');
  }
  const projects = specsByProject();
  if (projects.size === 0)
    throw new Error(`no spec matches ${RELIABILITY_SPECS}${filter ? ` and "${filter}"` : ''}`);
  for (const [dir, files] of projects) {
    const rel = path.relative(root, dir);
    ok =
      run(
        `${rel}: ${files.length} spec(s)`,
        'npx',
        [
          'jest',
          '-c',
          path.join(rel, 'jest.config.js'),
          '--runInBand',
          ...files.map((f) => path.relative(root, f)),
        ],
        { SANKSI_RELIABILITY_FIGURES: figuresDir },
      ) && ok;
  }
} catch (e) {
  console.error(String(e.message ?? e));
  ok = false;
} finally {
  if (infraUp) run('infra: stop what was started', 'bash', ['infra/down.sh'], infraEnv);
}
printFigures();
console.log(
  `\nreliability suite (${process.env.SANKSI_RELIABILITY_FULL === '1' ? 'full' : 'quick'}): ${ok ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 60_000).toFixed(1)} min`,
);
process.exit(ok ? 0 : 1);
