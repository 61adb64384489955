#!/usr/bin/env node
// `npm start`: build (the web console too), import the real 2022 registry into ./data on the first run,
// then serve the API, the web console (/console) and the worker in one process on the embedded default
// (SQLite, no services needed). `npm start -- --plan` prints what it would do, as JSON, and does nothing.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dataDir = path.resolve(root, process.env.SANKSI_DATA_DIR ?? 'data');
const env = { ...process.env, SANKSI_DATA_DIR: dataDir };
const cli = path.join(root, 'apps/cli/dist/main.js');

function step(label, args) {
  console.log(`\n== ${label}`);
  const r = spawnSync(args[0], args.slice(1), { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`\n${label} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

/**
 * Whether to import the demo registry: when asked (`--import-registry`, `SANKSI_IMPORT_REGISTRY=1`), or on
 * the first run of the embedded store. Never by itself on a server store (PostgreSQL): that store is
 * shared and long-lived, and every start would otherwise import into it again.
 */
function registryImport(argv, environment, directory) {
  const store = (environment.SANKSI_EVENT_STORE ?? 'sqlite') === 'sqlite' ? 'embedded' : 'server';
  if (argv.includes('--import-registry') || environment.SANKSI_IMPORT_REGISTRY === '1')
    return { store, import: true, reason: 'asked' };
  if (store === 'embedded' && !existsSync(path.join(directory, 'events.db')))
    return { store, import: true, reason: 'first run of the embedded store' };
  return {
    store,
    import: false,
    reason: store === 'embedded' ? 'the data directory holds an event store' : 'a server store',
  };
}

const registry = registryImport(process.argv.slice(2), process.env, dataDir);
if (process.argv.includes('--plan')) {
  console.log(JSON.stringify({ dataDir, build: true, registryImport: registry, serve: true }));
  process.exit(0);
}

step('build', ['npx', 'nx', 'run-many', '-t', 'build', '--output-style=static']);
if (registry.import) {
  step('import the PSE registry (a re-run changes nothing)', ['node', cli, 'import']);
} else if (registry.store === 'server') {
  console.log(
    '\n== registry import skipped (a server store): npm start -- --import-registry imports the demo registry',
  );
}
console.log('\n== serve');
const server = spawn('node', [cli, 'serve'], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env });
// The server's own lines, passed on as they come, with the web console's address beside the API's.
let pending = '';
server.stdout.on('data', (chunk) => {
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const line of lines) {
    process.stdout.write(`${line}\n`);
    const serving = /Sanksi is serving on (\S+)/.exec(line);
    if (serving)
      process.stdout.write(`  web console:         ${serving[1]}/console  (sign in with an API key)\n`);
  }
});
server.stdout.on('end', () => pending && process.stdout.write(pending));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
