#!/usr/bin/env node
// `npm run demo:cluster`: the production topology of infra/compose.yaml, as processes on this machine —
// two API processes (`sanksi serve --no-worker`) and one worker (`node apps/worker/dist/main.js`) on a
// fresh PostgreSQL database and the local Kafka broker (a topic of this run's own). Sends commands to
// both APIs (each case opened on one, warned on the other), then checks that the event log, Kafka, the
// read models as both APIs serve them, and the blocklist of both agree. Stops everything with SIGTERM,
// drops the database and the topic. Exit 0 when all agree, 1 otherwise; `--json` prints the report.
//
//   npm run demo:cluster [-- --cases 8] [-- --no-build] [-- --json]
//
// Settings: DEMO_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) to create the
// database, KAFKA_BROKERS (default 127.0.0.1:9092). Needs `npm run infra:up` (PostgreSQL, Kafka).
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const args = process.argv.slice(2);
const json = args.includes('--json');
const build = !args.includes('--no-build');
const casesArg = args.indexOf('--cases');
const caseCount = casesArg >= 0 ? Number(args[casesArg + 1]) : 6;
if (!Number.isInteger(caseCount) || caseCount < 2 || caseCount > 200) {
  process.stderr.write('demo-cluster: --cases must be a whole number from 2 to 200\n');
  process.exit(2);
}
const adminUrl = process.env.DEMO_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const cli = path.join(root, 'apps/cli/dist/main.js');
const workerMain = path.join(root, 'apps/worker/dist/main.js');
const runId = `${Date.now().toString(36)}${randomUUID().slice(0, 6)}`;
const database = `sanksi_cluster_${runId}`;
const topic = `demo-cluster.${runId}.case-events`;
const keys = { operator: `operator-cluster-${runId}`, service: `service-cluster-${runId}` };

/** Progress for people, on stderr so that --json keeps stdout clean. */
const say = (text) => process.stderr.write(`demo-cluster: ${text}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a value other than undefined; throws naming `what` after `timeoutMs`. */
async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(200);
  }
}

const processes = [];
/** Starts `node <args>` with the cluster's environment; keeps the tail of its output for the report. */
function start(name, nodeArgs, env) {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = { name, pid: child.pid, child, output: '', exit: null };
  const keep = (chunk) => (proc.output = (proc.output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  proc.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      proc.exit = { code, signal };
      resolve(proc.exit);
    }),
  );
  processes.push(proc);
  return proc;
}

async function http(base, method, url, body, key = keys.operator) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, requestId: res.headers.get('x-request-id') };
}

async function live(base, name, proc) {
  await waitFor(
    `${name} to answer /health/live`,
    async () => {
      if (proc.exit)
        throw new Error(`${name} exited (${JSON.stringify(proc.exit)}): ${proc.output.slice(-2000)}`);
      const res = await fetch(`${base}/health/live`).catch(() => null);
      return res?.ok ? true : undefined;
    },
    120_000,
  );
}

/** Every case event of the log, through the API's feed (`GET /v1/events`), in global order. */
async function eventLog(base) {
  const events = [];
  let after = 0;
  for (;;) {
    const page = await http(base, 'GET', `/v1/events?after=${after}&limit=500`, undefined, keys.service);
    if (page.status !== 200) throw new Error(`GET /v1/events answered ${page.status}`);
    events.push(...page.body.events);
    if (page.body.events.length < 500) return events;
    after = page.body.position;
  }
}

/** Reads the run's topic from the beginning until `count` messages came (or fails after 60 s). */
async function kafkaMessages(kafka, count) {
  const consumer = kafka.consumer({ groupId: `demo-cluster-${runId}-reader` });
  const got = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${got.length} of ${count} messages on ${topic}`)),
        60_000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const header = (name) => message.headers?.[name]?.toString();
            got.push({
              eventId: header('ce_id'),
              key: message.key?.toString(),
              partition,
              offset: Number(message.offset),
              traceparent: header('traceparent') ?? null,
              body: JSON.parse(message.value.toString()),
            });
            if (got.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return got;
}

async function main() {
  if (build || !existsSync(cli) || !existsSync(workerMain)) {
    say('building the CLI and the worker');
    const r = spawnSync(
      'npx',
      ['nx', 'run-many', '-t', 'build', '-p', 'cli', 'worker', '--output-style=static'],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error(`build failed (exit ${r.status})`);
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sanksi-cluster-'));
  const kafka = new Kafka({
    clientId: 'demo-cluster',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const report = { runId, database, topic, apis: [], worker: null, commands: [], agree: false, problems: [] };
  try {
    const databaseUrl = new URL(adminUrl);
    databaseUrl.pathname = `/${database}`;
    const shared = {
      SANKSI_EVENT_STORE: 'postgres',
      SANKSI_READ_MODELS: 'postgres',
      DATABASE_URL: databaseUrl.toString(),
      KAFKA_BROKERS: brokers,
      SANKSI_CASE_EVENTS_TOPIC: topic,
      SANKSI_API_KEYS: `operator:${keys.operator},service:${keys.service}`,
      SANKSI_DATA_DIR: dataDir,
      SANKSI_DEFAULT_POLICY: 'mr5-literal',
      SANKSI_LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
    };
    // The worker first: it migrates the fresh database before the APIs open it.
    const workerPort = await freePort();
    const worker = start('worker', [workerMain], {
      ...shared,
      SANKSI_WORKER: 'projector,relay,scheduler',
      WORKER_PORT: String(workerPort),
    });
    const workerBase = `http://127.0.0.1:${workerPort}`;
    await live(workerBase, 'worker', worker);
    report.worker = { pid: worker.pid, port: workerPort };
    say(`worker up (pid ${worker.pid}, port ${workerPort})`);
    const apis = [];
    for (const name of ['api-1', 'api-2']) {
      const port = await freePort();
      const proc = start(name, [cli, 'serve', '--no-worker', '--port', String(port)], {
        ...shared,
        SANKSI_WORKER: 'none',
      });
      apis.push({ name, proc, port, base: `http://127.0.0.1:${port}` });
    }
    await Promise.all(apis.map((a) => live(a.base, a.name, a.proc)));
    report.apis = apis.map((a) => ({ name: a.name, pid: a.proc.pid, port: a.port }));
    say(`two APIs up (ports ${apis.map((a) => a.port).join(', ')})`);

    // Each case is opened through one API and warned through the other. Half of them are dated in July
    // 2022: their response period has long passed, so the worker's scheduler blocks them on its own
    // (the deadline's automatic consequence); the others are dated now and stay warned.
    const wib = (day, time) => `2022-07-${day}T${time}:00+07:00`;
    const cases = Array.from({ length: caseCount }, (_, i) => ({
      pseId: `cluster-${runId}-${i}`,
      domains: [`c${i}-${runId}.example`],
      overdue: i % 2 === 0,
      first: apis[i % 2],
      second: apis[(i + 1) % 2],
    }));
    const send = async (api, url, body) => {
      const res = await http(api.base, 'POST', url, body);
      report.commands.push({ api: api.name, url, status: res.status, requestId: res.requestId });
      if (res.status !== 201)
        throw new Error(`${api.name} POST ${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    await Promise.all(
      cases.map(async (c) => {
        const at = (day, time) => (c.overdue ? { occurredAt: wib(day, time) } : {});
        const opened = { pseId: c.pseId, name: `Cluster ${c.pseId}`, origin: 'foreign', domains: c.domains };
        await send(c.first, '/v1/cases', { ...opened, ...at('18', '09:00') });
        await send(c.second, `/v1/cases/${c.pseId}/warnings`, {
          letterNumber: `B-${c.pseId}`,
          ...at('23', '10:00'),
        });
      }),
    );
    say(`${report.commands.length} commands applied through both APIs`);

    // The blocklist of both APIs names exactly the overdue cases' domains, once the scheduler acted.
    const expectedBlocked = cases
      .filter((c) => c.overdue)
      .flatMap((c) => c.domains)
      .sort();
    report.blocklist = {};
    for (const api of apis) {
      report.blocklist[api.name] = await waitFor(
        `${api.name}'s blocklist`,
        async () => {
          const list = await http(api.base, 'GET', '/v1/blocklist?format=json', undefined, keys.service);
          const domains = list.body.entries
            .map((e) => e.domain)
            .filter((d) => d.includes(runId))
            .sort();
          return JSON.stringify(domains) === JSON.stringify(expectedBlocked) ? domains : undefined;
        },
        120_000,
      );
    }
    // The log is settled once its head stays put for a while (the scheduler has nothing left to do).
    let log = await eventLog(apis[0].base);
    for (;;) {
      await sleep(3000);
      const again = await eventLog(apis[0].base);
      if (again.length === log.length) break;
      log = again;
    }
    report.eventLog = log.map((e) => ({
      eventId: e.eventId,
      pseId: e.pseId,
      revision: e.revision,
      position: e.position,
      type: e.type,
      correlationId: e.correlationId,
    }));
    // Read models: both APIs serve every case at the version the log holds (events of the case).
    const logVersion = (pseId) => report.eventLog.filter((e) => e.pseId === pseId).length;
    report.readModels = {};
    for (const api of apis) {
      report.readModels[api.name] = await waitFor(
        `${api.name}'s read models to catch up with the log`,
        async () => {
          const views = {};
          for (const c of cases) {
            const view = await http(api.base, 'GET', `/v1/cases/${c.pseId}`, undefined, keys.operator);
            if (view.status !== 200 || view.body.version !== logVersion(c.pseId))
              throw new Error(
                `${c.pseId} at ${view.body?.version} (${view.status}), the log has ${logVersion(c.pseId)}`,
              );
            views[c.pseId] = { state: view.body.state, version: view.body.version };
          }
          return views;
        },
      );
    }
    report.kafka = await kafkaMessages(kafka, report.eventLog.length);
    report.kafka = report.kafka.map(({ body, ...m }) => ({
      ...m,
      pseId: body.pseId,
      revision: body.revision,
    }));

    // Do they agree?
    const logIds = report.eventLog.map((e) => e.eventId).sort();
    const kafkaIds = [...new Set(report.kafka.map((m) => m.eventId))].sort();
    if (JSON.stringify(logIds) !== JSON.stringify(kafkaIds))
      report.problems.push('Kafka and the event log hold different events');
    for (const c of cases) {
      const onKafka = report.kafka.filter((m) => m.key === c.pseId);
      const revisions = onKafka.sort((a, b) => a.offset - b.offset).map((m) => m.revision);
      if (revisions.some((r, i) => i > 0 && r < revisions[i - 1]))
        report.problems.push(`${c.pseId}: out of order on Kafka`);
      if (new Set(onKafka.map((m) => m.partition)).size !== 1)
        report.problems.push(`${c.pseId}: on more than one partition`);
      const states = apis.map((a) => report.readModels[a.name][c.pseId].state);
      if (states[0] !== states[1])
        report.problems.push(`${c.pseId}: the APIs disagree (${states.join(' / ')})`);
      const expected = c.overdue ? 'blocked' : 'warned';
      if (states[0] !== expected) report.problems.push(`${c.pseId}: ${states[0]}, ${expected} expected`);
    }
    // An HTTP command's events carry its request id as correlation id, and its trace (the same id, as no
    // X-Request-Id was sent) to Kafka as traceparent; the scheduler's own appends carry none.
    const requestIds = new Set(report.commands.map((c) => c.requestId));
    const byId = new Map(report.eventLog.map((e) => [e.eventId, e]));
    for (const m of report.kafka) {
      const event = byId.get(m.eventId);
      if (!event || !requestIds.has(event.correlationId)) continue;
      if (m.traceparent?.split('-')[1] !== event.correlationId)
        report.problems.push(
          `${m.eventId}: traceparent ${m.traceparent} does not carry request ${event.correlationId}`,
        );
    }
    if (![...byId.values()].some((e) => requestIds.has(e.correlationId)))
      report.problems.push('no event names its request');
    const servedBy = new Set(report.commands.map((c) => c.api));
    if (servedBy.size !== 2) report.problems.push('not every API took commands');
    report.agree = report.problems.length === 0;
  } finally {
    for (const proc of processes) if (!proc.exit) proc.child.kill('SIGTERM');
    const exits = await Promise.race([
      Promise.all(processes.map((p) => p.exited)),
      sleep(30_000).then(() => null),
    ]);
    if (!exits) {
      report.problems.push('a process did not stop within 30 s of SIGTERM');
      for (const proc of processes) if (!proc.exit) proc.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exited));
    }
    report.exits = Object.fromEntries(processes.map((p) => [p.name, p.exit]));
    for (const proc of processes)
      if (proc.exit?.code !== 0)
        report.problems.push(`${proc.name} exited ${JSON.stringify(proc.exit)}: ${proc.output.slice(-1500)}`);
    report.agree = report.problems.length === 0;
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect().catch(() => undefined);
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return report;
}

main().then(
  (report) => {
    if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      say(`event log: ${report.eventLog.length} events; Kafka: ${report.kafka.length} messages on ${topic}`);
      say(`blocklist on both APIs: ${report.blocklist['api-1'].length} domains`);
      say(
        report.agree
          ? 'read models, blocklist and Kafka agree'
          : `DISAGREE:\n  ${report.problems.join('\n  ')}`,
      );
    }
    process.exit(report.agree ? 0 : 1);
  },
  (e) => {
    say(`failed: ${e.message}`);
    for (const proc of processes)
      if (proc.output) say(`--- ${proc.name} (last output)\n${proc.output.slice(-3000)}`);
    process.exit(1);
  },
);
