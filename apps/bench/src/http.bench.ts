// Commands over HTTP through the real server, as `npm start` runs it: `sanksi serve` (the API with the
// projector and the deadline scheduler in the same process) on a fresh data directory, driven by
// autocannon with 64 connections. Each figure is printed beside the same server's no-op route
// (`GET /health/live`) measured minutes apart in the same run, and beside the goals of the issue
// "Throughput and scale" (≥ 5,000 commands/s with p99 < 20 ms on SQLite; ≥ 2,500/s, p99 < 30 ms on
// PostgreSQL; ≥ 0.5 of the no-op route). Set BENCH_DATABASE_URL (a PostgreSQL server URL; a fresh
// database is created in it and dropped after) to run the PostgreSQL line too. BENCH_HTTP_SECONDS
// sets each measurement's length (default 10 s). BENCH_HTTP_CPU_PROFILE=<dir> runs the server under
// `node --cpu-prof` with its profile written there on exit (summarise with cpuprofile-summary.js).
// Each line also prints the server process's own CPU time per request (user + system, from /proc on
// Linux): on a shared, loaded machine the steadier figure. The "open, whole" line opens cases as "open
// case" does but asks for the appended events whole (`Prefer: return=representation`, decision 0011): the
// cost of the old answer, beside the default one on the same server. SANKSI_* variables set for the bench
// (SANKSI_CASE_HEAD_CAPACITY, say) reach the server, except its data directory and keys.
// BENCH_HTTP_LINES=open,warn (any of noop, open, whole, warn) runs only those lines — the no-op line
// still gives the ratios when it is among them — so a profile holds little else; `bare` (not run by default)
// adds the pinned stack alone first (NestJS + Fastify, no work: bare-stack.server.ts). BENCH_HTTP_NODE_ARGS adds
// arguments to the server's node (`-r ./apps/bench/dist/sqlite-statements.preload.js`: every statement
// timed). Before the lines, 2,000 no-op requests and 2,000 case openings warm the server (not measured).
// BENCH_HTTP_DIR=<dir> serves that data directory (SQLite) instead of a fresh one — a population made by
// `sanksi simulate`, to measure the commands at national scale: the bench waits for `/health/ready` (the
// scheduler's catch-up of due deadlines) and adds its cases to the directory, so give it a copy.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { freePort } from './free-port';
import { cpuTicks } from './settled';
import { MICROS_PER_TICK, threadMicros, threadsPerRequest, type ThreadsPerRequest } from './thread-cpu';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const DATA_DIR = process.env.BENCH_HTTP_DIR;
const CLI = path.resolve(__dirname, '..', '..', 'cli', 'dist', 'main.js');
const BARE_STACK = path.join(__dirname, 'bare-stack.server.js');
const PROFILE_DIR = process.env.BENCH_HTTP_CPU_PROFILE;
const NODE_ARGS = (process.env.BENCH_HTTP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const LINES = new Set(
  (process.env.BENCH_HTTP_LINES ?? 'noop,open,whole,warn').split(',').map((l) => l.trim()),
);
// The bench's own SANKSI_* settings go to the server; its data directory and keys are the bench's.
const SERVER_SETTINGS = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] =>
      entry[0].startsWith('SANKSI_') &&
      !['SANKSI_DATA_DIR', 'SANKSI_API_KEYS'].includes(entry[0]) &&
      entry[1] !== undefined,
  ),
);
const OPERATOR_KEY = 'bench-operator-key-0123456789abcdef';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef012';

interface Backend {
  label: string;
  env: Record<string, string>;
  goal: { perSecond: number; p99Ms: number };
  cleanup(): Promise<void>;
}

interface Measured {
  /** Server CPU time per request, µs (undefined where /proc cannot be read). */
  cpuPerRequest: number | undefined;
  /**
   * Of it, the request thread's (the server's main thread: HTTP, the command path, the commit) and the busiest
   * other thread's (the projector's, when it runs in a thread), µs per request; undefined without /proc.
   */
  threadsPerRequest: ThreadsPerRequest | undefined;
  /** This process's CPU time per request, µs: the load generator (autocannon) sharing the machine's cores. */
  clientCpuPerRequest: number;
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
  failures: string;
  /** Bytes the server sent per answer, headers included (autocannon's throughput over its requests). */
  bytesPerAnswer: number;
  /**
   * Events the log grew by per request while the line ran (the server's `/metrics` head before and after): a
   * warning brings the scheduler's elapse and block when their deadline is due, within the line or after it.
   */
  eventsPerRequest: number | undefined;
}

/** The log's head as the server's `/metrics` reports it; undefined when it cannot be read. */
async function logHead(base: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${base}/metrics`)).text();
    const head = /^sanksi_event_store_head_position (\d+)$/m.exec(text)?.[1];
    return head === undefined ? undefined : Number(head);
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in µs; undefined where /proc cannot be read. */
function cpuMicros(pid: number | undefined): number | undefined {
  const ticks = pid === undefined ? undefined : cpuTicks(pid);
  return ticks === undefined ? undefined : ticks * MICROS_PER_TICK;
}

async function serve(
  env: Record<string, string>,
  bare = false,
): Promise<{ base: string; pid: number | undefined; stop(): Promise<void> }> {
  const port = await freePort();
  const profile = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [];
  const server = bare ? [BARE_STACK, String(port)] : [CLI, 'serve', '--port', String(port)];
  const args = [...NODE_ARGS, ...profile, ...server];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      SANKSI_LOG_LEVEL: 'warn',
      SANKSI_API_KEYS: `operator:${OPERATOR_KEY},admin:${ADMIN_KEY}`,
      ...SERVER_SETTINGS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const started = Date.now();
  while (!out.includes('Sanksi is serving on')) {
    if (child.exitCode !== null || Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`sanksi serve did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function load(
  server: { base: string; pid: number | undefined },
  request: autocannon.Request,
  limit?: { amount: number },
): Promise<Measured> {
  const headBefore = await logHead(server.base);
  const cpuBefore = cpuMicros(server.pid);
  const threadsBefore = threadMicros(server.pid);
  const clientBefore = process.cpuUsage();
  const result = await autocannon({
    url: server.base,
    connections: CONNECTIONS,
    ...(limit ? { amount: limit.amount } : { duration: SECONDS }),
    requests: [request],
  });
  const statuses = Object.entries(
    (result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats ?? {},
  )
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${count}×${code}`);
  if (result.errors > 0) statuses.push(`${result.errors} errors`);
  if (result.timeouts > 0) statuses.push(`${result.timeouts} timeouts`);
  const client = process.cpuUsage(clientBefore);
  const cpuAfter = cpuMicros(server.pid);
  const threadsAfter = threadMicros(server.pid);
  const headAfter = await logHead(server.base);
  return {
    cpuPerRequest:
      cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
        ? undefined
        : (cpuAfter - cpuBefore) / result.requests.total,
    threadsPerRequest: threadsPerRequest(server.pid, threadsBefore, threadsAfter, result.requests.total),
    clientCpuPerRequest:
      result.requests.total === 0 ? 0 : (client.user + client.system) / result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    count: result.requests.total,
    bytesPerAnswer: result.requests.total === 0 ? 0 : result.throughput.total / result.requests.total,
    failures: statuses.join(', ') || 'none',
    eventsPerRequest:
      headBefore === undefined || headAfter === undefined || result.requests.total === 0
        ? undefined
        : (headAfter - headBefore) / result.requests.total,
  };
}

const json = (body: unknown) => JSON.stringify(body);

/** `POST /v1/cases` opening a new case each time, its id from `nextId`. */
function openCaseRequest(headers: Record<string, string>, nextId: () => string): autocannon.Request {
  return {
    method: 'POST',
    path: '/v1/cases',
    headers,
    setupRequest: (req) => {
      const pseId = nextId();
      return {
        ...req,
        body: json({
          pseId,
          name: `Bench system ${pseId}`,
          origin: 'foreign',
          domains: [`${pseId}.example.com`],
          policy: 'kominfo-2022',
          occurredAt: '2022-07-21T09:00:00+07:00',
        }),
      };
    },
  };
}

/** A line's CPU figures: bytes per answer, the server's CPU (by thread) and the client's, events per request. */
const cpu = (m: Measured) =>
  `  ${m.bytesPerAnswer.toFixed(0)} B/answer` +
  (m.cpuPerRequest === undefined ? '' : `  server CPU ${m.cpuPerRequest.toFixed(0)} µs/req`) +
  (m.threadsPerRequest === undefined
    ? ''
    : ` (request thread ${m.threadsPerRequest.request.toFixed(0)}, busiest other ${m.threadsPerRequest.busiestOther.toFixed(0)})`) +
  `  client CPU ${m.clientCpuPerRequest.toFixed(0)} µs/req` +
  (m.eventsPerRequest === undefined || m.eventsPerRequest === 0
    ? ''
    : `  ${m.eventsPerRequest.toFixed(2)} events/req`);

/** Waits until the server says it is ready: on a populated directory, once its scheduler has caught up. */
async function ready(base: string): Promise<void> {
  const until = Date.now() + 15 * 60_000;
  for (;;) {
    if (Date.now() > until) throw new Error(`${base}/health/ready did not answer 200 within 15 minutes`);
    const status = await fetch(`${base}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function measure(backend: Backend, dataDir?: string): Promise<void> {
  const { dir, cleanupDir } = (() => {
    if (dataDir) return { dir: dataDir, cleanupDir: () => undefined };
    const d = mkdtempSync(path.join(tmpdir(), 'sanksi-bench-http-'));
    return { dir: d, cleanupDir: () => rmSync(d, { recursive: true, force: true }) };
  })();
  const server = await serve({ SANKSI_DATA_DIR: dir, ...backend.env });
  try {
    const waited = Date.now();
    await ready(server.base);
    if (dataDir) console.log(`${backend.label.padEnd(10)} ${dataDir}: ready after ${Date.now() - waited} ms`);
    const auth = { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' };
    const run = randomUUID().slice(0, 8);
    // Warm-up: JIT, prepared statements, the first pages of every file.
    await load(server, { method: 'GET', path: '/health/live' }, { amount: 2_000 });

    const skipped: Measured | undefined = undefined;
    const noop = LINES.has('noop') ? await load(server, { method: 'GET', path: '/health/live' }) : skipped;

    const opened: string[] = [];
    let next = 0;
    const openCase = (headers: Record<string, string>) =>
      openCaseRequest(headers, () => {
        const pseId = `bench-${run}-${next++}`;
        opened.push(pseId);
        return pseId;
      });
    // The command path warmed too (its JIT, the append functions' plans on PostgreSQL, the projector's
    // first batches): without it the first command line measured the server's start as well.
    if (LINES.has('open') || LINES.has('warn') || LINES.has('whole'))
      await load(server, openCase(auth), { amount: 2_000 });
    const open = LINES.has('open') || LINES.has('warn') ? await load(server, openCase(auth)) : skipped;
    // The same command asking for its events whole: the answer as it was before decision 0011.
    const whole = LINES.has('whole')
      ? await load(server, openCase({ ...auth, prefer: 'return=representation' }))
      : skipped;

    // One warning per opened case, never the same case twice (a second would be refused).
    let warned = 0;
    const warnable = Math.min(opened.length, Math.max(1, Math.floor(open?.count ?? 0)));
    const warn =
      LINES.has('warn') && open
        ? await load(
            server,
            {
              method: 'POST',
              path: '/',
              headers: auth,
              setupRequest: (req) => {
                const pseId = opened[warned++ % warnable];
                return {
                  ...req,
                  path: `/v1/cases/${pseId}/warnings`,
                  body: json({
                    letterNumber: `B-${warned}/DJAI/2022`,
                    occurredAt: '2022-07-23T09:00:00+07:00',
                  }),
                };
              },
            },
            { amount: Math.min(warnable, Math.ceil(open.perSecond * SECONDS)) },
          )
        : skipped;

    const row = (name: string, m: Measured | undefined) => {
      if (!m) return;
      const ratio = noop ? `${(m.perSecond / noop.perSecond).toFixed(2)} of no-op` : 'no no-op line';
      const meets = m.perSecond >= backend.goal.perSecond && m.p99 < backend.goal.p99Ms;
      console.log(
        `${backend.label.padEnd(10)} ${name.padEnd(14)} ${m.perSecond.toFixed(0).padStart(7)}/s  p50 ${String(m.p50).padStart(4)} ms  p99 ${String(m.p99).padStart(4)} ms  ${ratio}  goal ≥ ${backend.goal.perSecond}/s p99 < ${backend.goal.p99Ms} ms: ${meets ? 'met' : 'NOT met'} (${(m.perSecond / backend.goal.perSecond).toFixed(2)} of it)  non-2xx: ${m.failures}${cpu(m)}`,
      );
    };
    if (noop)
      console.log(
        `${backend.label.padEnd(10)} ${'no-op (live)'.padEnd(14)} ${noop.perSecond.toFixed(0).padStart(7)}/s  p50 ${String(noop.p50).padStart(4)} ms  p99 ${String(noop.p99).padStart(4)} ms  (the limit)${cpu(noop)}`,
      );
    if (LINES.has('open')) row('open case', open);
    row('open, whole', whole);
    row('issue warning', warn);
  } finally {
    await server.stop();
    cleanupDir();
    await backend.cleanup();
  }
}

async function postgresBackend(url: string): Promise<Backend> {
  const database = `sanksi_bench_http_${process.pid}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${database}`;
  return {
    label: 'postgres',
    env: { SANKSI_EVENT_STORE: 'postgres', SANKSI_READ_MODELS: 'postgres', DATABASE_URL: target.toString() },
    goal: { perSecond: 2_500, p99Ms: 30 },
    cleanup: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * The pinned stack alone (bare-stack.server.ts): its no-op and a POST of an opening's body answered with no
 * work, warmed and measured as the server's lines are — the framework's share of every line below.
 */
async function measureBare(): Promise<void> {
  const server = await serve({}, true);
  try {
    let next = 0;
    const post = openCaseRequest({ 'content-type': 'application/json' }, () => `bare-${next++}`);
    const get: autocannon.Request = { method: 'GET', path: '/health/live' };
    await load(server, get, { amount: 2_000 });
    await load(server, post, { amount: 2_000 });
    for (const [name, m] of [
      ['GET no-op', await load(server, get)],
      ['POST, no work', await load(server, post)],
    ] as const) {
      console.log(
        `${'bare stack'.padEnd(10)} ${name.padEnd(14)} ${m.perSecond.toFixed(0).padStart(7)}/s  p50 ${String(m.p50).padStart(4)} ms  p99 ${String(m.p99).padStart(4)} ms  NestJS + Fastify alone${cpu(m)}`,
      );
    }
  } finally {
    await server.stop();
  }
}

/** Runs the HTTP command benchmark on SQLite, and on PostgreSQL when BENCH_DATABASE_URL is set. */
export async function run(): Promise<void> {
  console.log(
    `sanksi serve (API + projector + scheduler), ${CONNECTIONS} connections, ${SECONDS} s per line; cores: ${require('node:os').cpus().length}`,
  );
  if (LINES.has('bare')) await measureBare();
  await measure(
    {
      label: 'sqlite',
      env: { SANKSI_EVENT_STORE: 'sqlite' },
      goal: { perSecond: 5_000, p99Ms: 20 },
      cleanup: async () => undefined,
    },
    DATA_DIR,
  );
  const pg = process.env.BENCH_DATABASE_URL;
  if (pg) await measure(await postgresBackend(pg));
  else console.log('postgres   (skipped: set BENCH_DATABASE_URL=postgres://… to measure it)');
}
