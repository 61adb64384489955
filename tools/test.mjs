#!/usr/bin/env node
// `npm test`: bring up what the tests need (Kafka from infra/kafka, PostgreSQL), run typecheck,
// lint and every project's tests, then stop what this script started. The last line is the plain
// "N passed, N failed" summary summed over all projects.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const resultsDir = path.join(root, 'tmp', 'test-results');
const skipInfra = process.env.SANKSI_TEST_NO_INFRA === '1';
// What infra/up.sh starts is recorded under this owner, so infra/down.sh stops only that and leaves
// a broker someone started by hand (npm run infra:up) running.
const infraEnv = { SANKSI_INFRA_OWNER: `npm-test-${process.pid}` };
// The services infra/up.sh guarantees; tests read these and a caller may point them elsewhere.
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

let infraUp = false;
let ok = true;
try {
  if (!skipInfra) {
    infraUp = run('infra: start Kafka and PostgreSQL', 'bash', ['infra/up.sh'], infraEnv);
    if (!infraUp) throw new Error('infra/up.sh failed: the services the tests need could not be started');
  }
  ok = run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) && ok;
  ok = run('lint', 'npx', ['nx', 'run-many', '-t', 'lint', '--output-style=static']) && ok;
  ok = run('format', 'npx', ['prettier', '--check', '--log-level=warn', '.']) && ok;
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  ok =
    run('build', 'npx', ['nx', 'run-many', '-t', 'build', '--output-style=static']) &&
    run('tests', 'npx', ['nx', 'run-many', '-t', 'test', '--output-style=static', '--parallel=1'], {
      SANKSI_TEST_RESULTS: resultsDir,
    }) &&
    ok;
} catch (e) {
  console.error(String(e.message ?? e));
  ok = false;
} finally {
  if (infraUp) run('infra: stop what was started', 'bash', ['infra/down.sh'], infraEnv);
}

let passed = 0;
let failed = 0;
const failures = [];
if (existsSync(resultsDir)) {
  for (const f of readdirSync(resultsDir)) {
    const r = JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    failures.push(...(r.failures ?? []));
  }
}
// what failed, again at the end: a long run's log is often read from its tail only
for (const f of failures) {
  console.log(`\nFAILED ${f.where} › ${f.test}\n${f.message.replace(/^/gm, '    ')}`);
}
if (!ok && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
