// Queries at scale through the real server: `sanksi serve` (API + projector + scheduler, as `npm start`
// runs it) on a simulated population, driven by autocannon. Each read route is printed beside the same
// server's no-op route (`GET /health/live`, the limit) and a raw indexed SELECT on the same read models
// (its file, or PostgreSQL with SANKSI_READ_MODELS=postgres and DATABASE_URL), both measured in the same run, and beside the issue's goal (p99 < 50 ms at a million systems).
//
// Knobs: BENCH_QUERIES_DIR (a data directory already populated, e.g. by `sanksi simulate --systems
// 100000`; reused as it is), else BENCH_QUERIES_SYSTEMS (default 5,000) are simulated into a temporary
// one first; BENCH_QUERIES_SECONDS per line (default 5); BENCH_QUERIES_CONNECTIONS (default 32);
// BENCH_QUERIES_COMMANDS=1 opens cases on 8 more connections during every line (queries while commands
// run); BENCH_CLI (another build's apps/cli/dist/main.js, to measure before and after on one population);
// BENCH_CPU_PROFILE_DIR (the server runs with `node --cpu-prof` and writes its profile there on exit);
// BENCH_QUERIES_READY_SECONDS (default 600: how long the server may take to be ready — the first start on a
// population simulated with an earlier `--until`, or by a build before it, elapses every deadline due since
// its business time first);
// BENCH_QUERIES_POLLERS (default 1,000) and BENCH_QUERIES_POLL_RATE (polls a second each, default 1) for
// the last two lines, the feed's pollers while commands run (issue 10, goal 5), each at its own phase and
// all at once, driven by ./pollers.ts from BENCH_QUERIES_POLL_THREADS client threads (default 1);
// BENCH_QUERIES_POLL_COMMANDS=0 polls with no
// commands running (to tell their share); BENCH_QUERIES_ONLY=pollers runs that line alone, any other
// text the lines whose name contains it (BENCH_QUERIES_ONLY=blocklist) and not the pollers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { poll } from './pollers';
import { settled } from './settled';
import { freePort } from './free-port';

const SECONDS = Number(process.env.BENCH_QUERIES_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_QUERIES_CONNECTIONS ?? 32);
const SYSTEMS = Number(process.env.BENCH_QUERIES_SYSTEMS ?? 5_000);
const CLI = path.resolve(process.env.BENCH_CLI ?? path.join(__dirname, '..', '..', 'cli', 'dist', 'main.js'));
const GOAL_P99_MS = 50;
/** How long `sanksi serve` may take to be ready (BENCH_QUERIES_READY_SECONDS, default 600). */
const READY_WITHIN_MS = Number(process.env.BENCH_QUERIES_READY_SECONDS ?? 600) * 1000;
const POLL_THREADS = Number(process.env.BENCH_QUERIES_POLL_THREADS ?? 1);
const KEYS = {
  operator: 'bench-operator-key-0123456789abcdef',
  analyst: 'bench-analyst-key-0123456789abcdef0',
  service: 'bench-service-key-0123456789abcdef0',
  admin: 'bench-admin-key-0123456789abcdef012',
};

interface Measured {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  failures: string;
  /** The commands opened beside the line (BENCH_QUERIES_COMMANDS=1), measured over the same seconds. */
  beside?: Measured;
}

/** The request header of a client that takes gzip (curl --compressed sends the same). */
const GZIP = { 'accept-encoding': 'gzip' };
/** The simulator's name words (`population-simulator.ts`): each in about a sixth of the simulated names. */
const COMMON_WORDS = [
  'nusa',
  'kilat',
  'pasar',
  'bayar',
  'cepat',
  'awan',
  'main',
  'kabar',
  'jalan',
  'sehat',
  'pintar',
  'toko',
];
/** A line's `If-None-Match` that becomes the list's ETag as the line starts (the lines before may move the list). */
const LIST_ETAG_NOW = '<the list’s ETag when the line starts>';

const serverEnv = (dataDir: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  NO_COLOR: '1',
  // The bench's own SANKSI_* settings reach the server (SANKSI_WORKER=projector: no scheduler;
  // SANKSI_READ_MODELS=postgres with DATABASE_URL: the read models on PostgreSQL), except what the bench
  // decides itself, below.
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.startsWith('SANKSI_') || k === 'DATABASE_URL'),
  ),
  SANKSI_LOG_LEVEL: 'warn',
  SANKSI_DATA_DIR: dataDir,
  SANKSI_API_KEYS: Object.entries(KEYS)
    .map(([role, key]) => `${role}:${key}`)
    .join(','),
});

/** `sanksi serve` on `dataDir`: the time from spawn to listening, and to ready (projector caught up). */
async function serve(dataDir: string): Promise<{
  base: string;
  pid: number | undefined;
  listenMs: number;
  readyMs: number;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [...flags, CLI, 'serve', '--port', String(port)], {
    env: serverEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  while (!out.includes('Sanksi is serving on')) {
    if (child.exitCode !== null || Date.now() - started > 600_000) {
      child.kill('SIGKILL');
      throw new Error(`sanksi serve did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const listenMs = Date.now() - started;
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const res = await fetch(`${base}/health/ready`).catch(() => null);
    if (res?.status === 200) break;
    if (Date.now() - started > READY_WITHIN_MS) {
      // Not left running: it would go on writing the population under the next run.
      child.kill('SIGKILL');
      await exited;
      const checks = res ? JSON.stringify(await res.json().catch(() => null)) : 'no answer';
      throw new Error(
        `sanksi serve was not ready within ${READY_WITHIN_MS / 1000} s (last readiness: ${checks})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid,
    listenMs,
    readyMs: Date.now() - started,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function load(
  base: string,
  request: autocannon.Request | autocannon.Request[],
  connections = CONNECTIONS,
  options: { duration?: number } = {},
): Promise<Measured> {
  const result = await autocannon({
    url: base,
    connections,
    duration: options.duration ?? SECONDS,
    requests: Array.isArray(request) ? request : [request],
  });
  const statuses = Object.entries(
    (result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats ?? {},
  )
    .filter(([code]) => !code.startsWith('2') && code !== '304')
    .map(([code, { count }]) => `${count}×${code}`);
  if (result.errors > 0) statuses.push(`${result.errors} errors`);
  if (result.timeouts > 0) statuses.push(`${result.timeouts} timeouts`);
  return {
    count: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: statuses.join(', ') || 'none',
  };
}

/**
 * One client downloading `request` again and again on one kept-alive connection with Node's own HTTP
 * client, for `SECONDS`. For the whole blocklist's one-client lines: autocannon's client took ~50 ms to
 * take in a 14.7 MB JSON list that curl receives in 8 ms and the server answers with 5 ms of CPU
 * (docs/benchmarks.md, "The blocklist kept in memory"), so it measured itself, not the answer.
 */
async function download(
  base: string,
  request: { path: string; headers: http.OutgoingHttpHeaders },
): Promise<Measured> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(base);
  // The status of one whole answer, its body read to the end.
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const options = {
        host: url.hostname,
        port: url.port,
        path: request.path,
        headers: request.headers,
        agent,
      };
      http
        .get(options, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        })
        .on('error', reject);
    });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const end = Date.now() + SECONDS * 1000;
  try {
    while (Date.now() < end) {
      const started = process.hrtime.bigint();
      const status = await once();
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (status < 200 || (status >= 300 && status !== 304))
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    count: latencies.length,
    perSecond: latencies.length / SECONDS,
    p50: at(0.5),
    p99: at(0.99),
    failures: [...statuses].map(([code, n]) => `${n}×${code}`).join(', ') || 'none',
  };
}

/**
 * Runs `work` while blocked cases register one after another (a submission, then its confirmation,
 * every 200 ms: each takes the case off the blocklist), and counts the positions the list moved by.
 */
async function whileTheListChanges(
  base: string,
  work: () => Promise<Measured>,
): Promise<{ measured: Measured; changes: number }> {
  const operator = { authorization: `Bearer ${KEYS.operator}`, 'content-type': 'application/json' };
  const service = { authorization: `Bearer ${KEYS.service}` };
  // The list's position: `If-None-Match: *` answers 304 with the position and no body.
  const position = async () =>
    Number(
      (
        await fetch(`${base}/v1/blocklist?format=txt`, { headers: { ...service, 'if-none-match': '*' } })
      ).headers.get('x-blocklist-position') ?? 0,
    );
  const blocked = (await (
    await fetch(`${base}/v1/cases?state=blocked&limit=200`, {
      headers: { authorization: `Bearer ${KEYS.analyst}` },
    })
  ).json()) as { items?: Array<{ pseId: string }> };
  const before = await position();
  let stop = false;
  const changer = (async () => {
    for (const { pseId } of blocked.items ?? []) {
      if (stop) break;
      const url = `${base}/v1/cases/${encodeURIComponent(pseId)}/registrations`;
      await fetch(url, { method: 'POST', headers: operator, body: JSON.stringify({ channel: 'oss' }) });
      const registrationNumber = `${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}.01/DJAI.PSE/12/2026`;
      await fetch(`${url}/confirmation`, {
        method: 'POST',
        headers: operator,
        body: JSON.stringify({ registrationNumber }),
      });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  let measured: Measured;
  try {
    measured = await work();
  } finally {
    stop = true;
    await changer;
  }
  // The positions the feed moved by during the line.
  const moved = (await (
    await fetch(`${base}/v1/blocklist/changes?after=${before}&limit=10000`, { headers: service })
  ).json()) as { changes: Array<{ position: number }> };
  return { measured, changes: new Set(moved.changes.map((c) => c.position)).size };
}

/** The server's own latency histogram of the routes under `prefix` (`/metrics`), bucket bound → count. */
async function serverLatencies(base: string, routes: readonly string[]): Promise<Map<number, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /^sanksi_http_request_duration_seconds_bucket\{(.*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (!m) continue;
    const labels = m[1] as string;
    const route = /route="([^"]*)"/.exec(labels)?.[1];
    const le = /le="([^"]*)"/.exec(labels)?.[1];
    if (
      route === undefined ||
      le === undefined ||
      !routes.includes(route) ||
      !labels.includes('method="GET"')
    )
      continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/** The server's event-loop delay since its previous `/metrics` reading (prom-client resets it on each), in ms. */
async function eventLoopDelay(base: string): Promise<string> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name: string) => {
    const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? '?' : (Number(value) * 1000).toFixed(0);
  };
  return `event-loop delay p99 ${read('nodejs_eventloop_lag_p99_seconds')} ms, max ${read('nodejs_eventloop_lag_max_seconds')} ms`;
}

/** From two histogram readings: answers between them, the share within `limitSeconds`, the bucket holding p99. */
function serverSide(before: Map<number, number>, after: Map<number, number>, limitSeconds: number): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count = (b: number) => (after.get(b) ?? 0) - (before.get(b) ?? 0);
  const total = count(Infinity);
  if (total === 0) return 'server: no answers recorded';
  const p99 = bounds.find((b) => count(b) >= 0.99 * total) ?? Infinity;
  return `server-side (Fastify's timer): ${((100 * count(limitSeconds)) / total).toFixed(1)} % within ${limitSeconds * 1000} ms, p99 ≤ ${p99 === Infinity ? '∞' : `${p99 * 1000} ms`}`;
}

/** The server's read models on PostgreSQL (SANKSI_READ_MODELS=postgres with DATABASE_URL), else null. */
function postgresReadModels(): string | null {
  return process.env.SANKSI_READ_MODELS === 'postgres' ? (process.env.DATABASE_URL ?? null) : null;
}

/** Runs `work` with one query function on the read models the server reads: its SQLite file, or PostgreSQL. */
async function withReadModels<T>(
  dataDir: string,
  work: (query: (sql: string, params?: string[]) => Promise<Array<Record<string, unknown>>>) => Promise<T>,
): Promise<T> {
  const url = postgresReadModels();
  if (url) {
    const client = new Client({ connectionString: url, options: '-c search_path=read_models' });
    await client.connect();
    try {
      // Named statements: parsed and planned once, as the store's own reads are.
      const names = new Map<string, string>();
      return await work(async (text, values = []) => {
        const name = names.get(text) ?? `bench_${names.size}`;
        names.set(text, name);
        let n = 0;
        const sql = text.replace(/\?/g, () => `$${++n}`);
        return (await client.query({ name, text: sql, values })).rows;
      });
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(dataDir, 'read-models.db'), { readonly: true });
  try {
    return await work(
      async (sql, params = []) => db.prepare(sql).all(...params) as Array<Record<string, unknown>>,
    );
  } finally {
    db.close();
  }
}

/**
 * A raw indexed SELECT of one case summary by key on the same read models, in process: the floor of any
 * read (on PostgreSQL one connection, a query at a time, so the floor includes its round trip).
 */
async function rawIndexedSelect(dataDir: string): Promise<{ perSecond: number; p99Us: number }> {
  return withReadModels(dataDir, async (query) => {
    const ids = (await query(`SELECT pse_id FROM case_summary ORDER BY random() LIMIT 1000`)).map((r) =>
      String(r.pse_id),
    );
    const select = `SELECT * FROM case_summary WHERE pse_id = ?`;
    const times: number[] = [];
    const until = Date.now() + SECONDS * 1000;
    let n = 0;
    const started = process.hrtime.bigint();
    while (Date.now() < until) {
      const t = process.hrtime.bigint();
      await query(select, [ids[n++ % ids.length] as string]);
      times.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    times.sort((a, b) => a - b);
    return { perSecond: n / seconds, p99Us: times[Math.floor(times.length * 0.99)] ?? 0 };
  });
}

function populate(dataDir: string): void {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'simulate', '--systems', String(SYSTEMS), '--seed', '1'], {
    env: serverEnv(dataDir),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`sanksi simulate failed (exit ${r.status})`);
  console.log(`simulated ${SYSTEMS} systems in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function population(dataDir: string): Promise<string> {
  return withReadModels(dataDir, async (query) => {
    const count = async (table: string) => Number((await query(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
    return [
      `${(await count('case_summary')).toLocaleString('en')} cases`,
      `${(await count('case_timeline')).toLocaleString('en')} events`,
      `${(await count('registry')).toLocaleString('en')} registered`,
      `${(await count('blocklist')).toLocaleString('en')} blocklist lines`,
      `${(await count('blocklist_changes')).toLocaleString('en')} blocklist changes`,
      postgresReadModels() ? 'read models on PostgreSQL' : 'read models on SQLite',
    ].join(', ');
  });
}

/** Runs the read routes against `sanksi serve` on a simulated population (SQLite). */
export async function run(): Promise<void> {
  const given = process.env.BENCH_QUERIES_DIR;
  const dataDir = given ? path.resolve(given) : mkdtempSync(path.join(tmpdir(), 'sanksi-bench-queries-'));
  try {
    if (!given) populate(dataDir);
    const server = await serve(dataDir);
    console.log(
      `sanksi serve (${CLI}) on ${dataDir}: ${await population(dataDir)}; ${CONNECTIONS} connections, ${SECONDS} s per line, ` +
        `cores: ${require('node:os').cpus().length}${process.env.BENCH_QUERIES_COMMANDS === '1' ? ', cases opened on 8 more connections throughout' : ''}`,
    );
    console.log(
      `start: listening after ${(server.listenMs / 1000).toFixed(1)} s, ready after ${(server.readyMs / 1000).toFixed(1)} s`,
    );
    try {
      const service = { authorization: `Bearer ${KEYS.service}` };
      const analyst = { authorization: `Bearer ${KEYS.analyst}` };
      const probe = await fetch(`${server.base}/v1/cases?state=blocked&limit=1`, { headers: analyst });
      const someCase =
        ((await probe.json()) as { items?: Array<{ pseId: string }> }).items?.[0]?.pseId ?? 'none';
      // Where the list is when a line that revalidates it starts (the "list changing" lines move it): its
      // ETag and change-feed position. fetch asks for gzip unless told otherwise: the 304 lines send no
      // Accept-Encoding, so the tag they send back must be the identity representation's.
      const listNow = async (): Promise<{ etag: string; position: string }> => {
        const txt = await fetch(`${server.base}/v1/blocklist?format=txt`, {
          headers: { ...service, 'accept-encoding': 'identity' },
        });
        await txt.arrayBuffer();
        return {
          etag: txt.headers.get('etag') ?? '"none"',
          position: txt.headers.get('x-blocklist-position') ?? '0',
        };
      };
      await load(server.base, { method: 'GET', path: '/health/live' }, 8);

      const withCommands = async (work: () => Promise<Measured>, always = false): Promise<Measured> => {
        if (process.env.BENCH_QUERIES_COMMANDS !== '1' && !always) return work();
        let next = 0;
        const run = Math.random().toString(36).slice(2, 8);
        const commands = load(
          server.base,
          {
            method: 'POST',
            path: '/v1/cases',
            headers: { authorization: `Bearer ${KEYS.operator}`, 'content-type': 'application/json' },
            setupRequest: (req) => {
              const pseId = `bq-${run}-${next++}`;
              return {
                ...req,
                body: JSON.stringify({
                  pseId,
                  name: `Bench ${pseId}`,
                  origin: 'foreign',
                  domains: [`${pseId}.example.com`],
                  policy: 'kominfo-2022',
                  occurredAt: '2022-07-21T09:00:00+07:00',
                }),
              };
            },
          },
          8,
        );
        const m = await work();
        return { ...m, beside: await commands };
      };

      let word = 0;
      const nextCommonWord = (req: autocannon.Request): autocannon.Request => ({
        ...req,
        path: `/v1/registry?q=${COMMON_WORDS[word++ % COMMON_WORDS.length]}`,
      });
      const noop = await withCommands(() => load(server.base, { method: 'GET', path: '/health/live' }));
      const raw = await rawIndexedSelect(dataDir);
      console.log(
        `${'no-op GET /health/live'.padEnd(44)} ${noop.perSecond.toFixed(0).padStart(7)}/s  p50 ${String(noop.p50).padStart(5)} ms  p99 ${String(noop.p99).padStart(5)} ms  (the limit)`,
      );
      console.log(
        `${'raw indexed SELECT (in process, no HTTP)'.padEnd(44)} ${raw.perSecond.toFixed(0).padStart(7)}/s  p99 ${raw.p99Us.toFixed(0)} µs`,
      );
      // A third member: fewer connections than the line's default, for routes whose answers take long; or
      // one client on Node's HTTP client (`download`), alone or while blocked cases leave the list.
      const routes: Array<
        [string, autocannon.Request, (number | 'download' | 'download while the list changes')?]
      > = [
        ['cases by state (blocked, 50)', { path: '/v1/cases?state=blocked&limit=50', headers: analyst }],
        ['cases by name (sort=name, 50)', { path: '/v1/cases?sort=name&limit=50', headers: analyst }],
        ['cases text search q=shop', { path: '/v1/cases?q=shop', headers: analyst }],
        ['case view', { path: `/v1/cases/${encodeURIComponent(someCase)}`, headers: analyst }],
        ['registry search q=shop', { path: '/v1/registry?q=shop', headers: analyst }],
        // `shop` is in no simulated name; `toko` is one of the simulator's words, in a sixth of the names (more
        // than 2,000 trigram candidates: the walk in the page's order). By case id they come at once; by name
        // the first waits behind every name beginning with one of the eleven words before it, and `pt kilat`
        // (a company beginning with the fifth word) behind five twelfths of the register.
        ['cases text search q=toko', { path: '/v1/cases?q=toko', headers: analyst }],
        ['cases text search q=toko by name', { path: '/v1/cases?q=toko&sort=name', headers: analyst }],
        ['registry search q=toko', { path: '/v1/registry?q=toko', headers: analyst }],
        ['registry search q=pt kilat', { path: '/v1/registry?q=pt%20kilat', headers: analyst }],
        // Every request another of the simulator's twelve name words, so that few of the 32 ask the same text
        // at once: what identical searches share (one statement for all who wait for it, decision 0020) is
        // left out of this line.
        [
          'registry search, the twelve common words in turn',
          { path: '/v1/registry?q=toko', headers: analyst, setupRequest: nextCommonWord },
        ],
        ['stats/states (today)', { path: '/v1/stats/states', headers: analyst }],
        ['blocklist txt', { path: '/v1/blocklist?format=txt', headers: service }],
        ['blocklist rpz', { path: '/v1/blocklist?format=rpz', headers: service }],
        ['blocklist json', { path: '/v1/blocklist?format=json', headers: service }],
        // What a provider's poller (curl --compressed, any HTTP library) sends: the kept gzip of the list.
        ['blocklist txt, gzip', { path: '/v1/blocklist?format=txt', headers: { ...service, ...GZIP } }],
        ['blocklist rpz, gzip', { path: '/v1/blocklist?format=rpz', headers: { ...service, ...GZIP } }],
        ['blocklist json, gzip', { path: '/v1/blocklist?format=json', headers: { ...service, ...GZIP } }],
        // One provider downloading the whole list with nobody else asking: the answer's own latency, where the
        // lines above (32 connections each wanting megabytes) measure the queue on the bench's client. Driven
        // by Node's HTTP client (`download`), not autocannon's.
        ['blocklist txt, 1 client', { path: '/v1/blocklist?format=txt', headers: service }, 'download'],
        ['blocklist rpz, 1 client', { path: '/v1/blocklist?format=rpz', headers: service }, 'download'],
        ['blocklist json, 1 client', { path: '/v1/blocklist?format=json', headers: service }, 'download'],
        // The same while blocked cases register one after another (each leaves the list): every answer
        // after a change is a new rendering.
        [
          'blocklist json, 1 client, list changing',
          { path: '/v1/blocklist?format=json', headers: service },
          'download while the list changes',
        ],
        [
          'blocklist rpz, 1 client, list changing',
          { path: '/v1/blocklist?format=rpz', headers: service },
          'download while the list changes',
        ],
        [
          'blocklist json, gzip, 1 client, list changing',
          { path: '/v1/blocklist?format=json', headers: { ...service, ...GZIP } },
          'download while the list changes',
        ],
        [
          'blocklist txt, If-None-Match (304)',
          { path: '/v1/blocklist?format=txt', headers: { ...service, 'if-none-match': LIST_ETAG_NOW } },
        ],
        ['blocklist changes after=0', { path: '/v1/blocklist/changes?after=0', headers: service }],
        // The daily series as the projector keeps them (docs/benchmarks.md, "Daily series kept by the projector").
        [
          'stats states daily (a month)',
          { path: '/v1/stats/states/daily?from=2022-07-01&to=2022-07-31', headers: analyst },
        ],
        [
          'stats blocklist daily (a year)',
          { path: '/v1/stats/blocklist/daily?from=2022-07-01&to=2023-06-30', headers: analyst },
        ],
        ['stats/states on a past date', { path: '/v1/stats/states?asOf=2022-12-31', headers: analyst }],
        ['stats escalation queue (by traffic)', { path: '/v1/stats/escalation-queue', headers: analyst }],
        ['stats warning-to-registration', { path: '/v1/stats/warning-to-registration', headers: analyst }],
        // As known at an earlier instant, a few clients: an hour ago (the changes kept by record time, decision
        // 0019), and before most of the history was recorded (those changes too: a simulation's backdated events
        // kept apart since read-model migration 25; the whole history for read models projected before it).
        [
          'stats states daily as known an hour ago, 2 clients',
          {
            path: `/v1/stats/states/daily?from=2022-07-01&to=2022-07-31&knownAt=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
            headers: analyst,
          },
          2,
        ],
        [
          'stats states daily as known earlier, 2 clients',
          {
            path: '/v1/stats/states/daily?from=2022-07-01&to=2022-07-31&knownAt=2022-08-01',
            headers: analyst,
          },
          2,
        ],
        [
          'stats/states on a past date as known earlier, 2 clients',
          { path: '/v1/stats/states?asOf=2022-12-31&knownAt=2022-08-01', headers: analyst },
          2,
        ],
      ];
      const only = process.env.BENCH_QUERIES_ONLY?.split(',');
      const lines =
        only === undefined ? routes : routes.filter(([name]) => only.some((part) => name.includes(part)));
      for (const [name, route, connections] of lines) {
        const request =
          route.headers?.['if-none-match'] === LIST_ETAG_NOW
            ? { ...route, headers: { ...route.headers, 'if-none-match': (await listNow()).etag } }
            : route;
        const asked = { path: request.path ?? '/', headers: request.headers ?? {} };
        let changed = '';
        const m = await withCommands(async () => {
          if (connections === 'download') return download(server.base, asked);
          if (connections !== 'download while the list changes')
            return load(server.base, { method: 'GET', ...request }, connections);
          const during = await whileTheListChanges(server.base, () => download(server.base, asked));
          changed = `, ${during.changes} changes of the list during the line`;
          return during.measured;
        });
        // Requests still queued in the server when the line ends would land on the next line: wait them out,
        // on the request loop and then on the server's other threads.
        const drained = Date.now();
        await fetch(`${server.base}/health/live`);
        await settled(server.pid);
        const backlog =
          Date.now() - drained > 1000
            ? `, ${((Date.now() - drained) / 1000).toFixed(1)} s of queued work after the line`
            : '';
        if (m.count === 0) {
          console.log(`${name.padEnd(44)} no answer within the ${SECONDS} s line: NOT met${backlog}`);
          continue;
        }
        console.log(
          `${name.padEnd(44)} ${m.perSecond.toFixed(0).padStart(7)}/s  p50 ${String(m.p50).padStart(5)} ms  p99 ${String(m.p99).padStart(5)} ms  ${(m.perSecond / noop.perSecond).toFixed(2)} of no-op  goal p99 < ${GOAL_P99_MS} ms: ${m.p99 < GOAL_P99_MS ? 'met' : 'NOT met'}  other: ${m.failures}${backlog}${changed}${m.beside ? `  (commands beside: ${m.beside.perSecond.toFixed(0)}/s, p99 ${m.beside.p99} ms)` : ''}`,
        );
      }
      if (only === undefined || only.includes('pollers')) {
        // Where the list is now: the lines above may have moved it (the "list changing" lines block and
        // register cases). Each poller then follows what it is answered, as a provider does: the feed's
        // position, and the list's ETag after a full answer.
        const current = await listNow();
        // Goal 5: internet providers polling the feed, each on its own kept-alive connection at a fixed
        // rate, while cases are opened on 8 more connections. A poller that is up to date asks for the
        // changes after the position it has and for the list with the ETag it has (304). Independent
        // providers poll at their own moments (the goal's line); the second line has all of them ask at
        // the same instant every period, the worst case.
        const pollers = Number(process.env.BENCH_QUERIES_POLLERS ?? 1000);
        const pollRate = Number(process.env.BENCH_QUERIES_POLL_RATE ?? 1);
        const polledRoutes = ['/v1/blocklist', '/v1/blocklist/changes'];
        for (const phase of ['random', 'together'] as const) {
          const histogramBefore = await serverLatencies(server.base, polledRoutes);
          await eventLoopDelay(server.base);
          let connectMs = 0;
          let answers = '';
          const polling = await withCommands(async () => {
            const r = await poll({
              base: server.base,
              pollers,
              rate: pollRate,
              seconds: Math.max(SECONDS, 10),
              requests: [
                {
                  path: `/v1/blocklist/changes?after=${current.position}`,
                  headers: service,
                  follow: 'position',
                },
                {
                  path: '/v1/blocklist?format=txt',
                  headers: { ...service, 'if-none-match': current.etag },
                  follow: 'etag',
                },
              ],
              phase,
              threads: POLL_THREADS,
            });
            connectMs = r.connectMs;
            answers = r.answers;
            return { count: r.polls, perSecond: r.perSecond, p50: r.p50, p99: r.p99, failures: r.failures };
          }, process.env.BENCH_QUERIES_POLL_COMMANDS !== '0');
          // The delay first: each /metrics reading restarts prom-client's event-loop histogram.
          const loopDelay = await eventLoopDelay(server.base);
          const histogramAfter = await serverLatencies(server.base, polledRoutes);
          const name = `ISP pollers: ${pollers} × ${pollRate}/s, ${phase === 'random' ? 'own phases' : 'all at once'}${process.env.BENCH_QUERIES_POLL_COMMANDS !== '0' ? ', commands' : ''}`;
          console.log(
            `${name.padEnd(44)} ${polling.perSecond.toFixed(0).padStart(7)}/s  p50 ${String(polling.p50).padStart(5)} ms  p99 ${String(polling.p99).padStart(5)} ms  goal p99 < ${GOAL_P99_MS} ms: ${polling.p99 < GOAL_P99_MS ? 'met' : 'NOT met'}${phase === 'together' ? ' (worst case, not the goal)' : ''}  other: ${polling.failures}`,
          );
          console.log(
            `${''.padEnd(44)} connecting all ${pollers} first took ${(connectMs / 1000).toFixed(1)} s (not timed above); answers ${answers}; ${serverSide(histogramBefore, histogramAfter, GOAL_P99_MS / 1000)}; ${loopDelay}`,
          );
        }
      }
    } finally {
      await server.stop();
    }
  } finally {
    if (!given) rmSync(dataDir, { recursive: true, force: true });
  }
}
