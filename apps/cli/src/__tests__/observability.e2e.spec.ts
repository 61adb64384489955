import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, tempDir } from './cli-process.fixture';
import { freePort } from '@sanksi/testing';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const WORKER_MAIN = path.join(ROOT, 'apps', 'worker', 'dist', 'main.js');
const DASHBOARD = path.join(ROOT, 'infra', 'observability', 'grafana', 'sanksi-overview.json');
const ALERTS = path.join(ROOT, 'infra', 'observability', 'prometheus', 'sanksi-alerts.yaml');
const OPERATOR_KEY = 'observability-operator-key-0123456789';

/** Metric names as PromQL writes them: ours, and prom-client's default process metrics. */
const METRIC_NAME = /\b(?:sanksi|process|nodejs)_[a-z0-9_]+\b/g;

/**
 * Every series name a `/metrics` body can carry: each `# TYPE` line's name (declared even before its
 * first observation), and for histograms and summaries their `_bucket`, `_sum` and `_count` series.
 */
function servedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m;
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** The metric names of the dashboard's queries and template variables. */
function dashboardNames(): Set<string> {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    templating: { list: Array<{ query?: unknown }> };
  };
  const queries = [
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
    ...dashboard.templating.list.map((v) => (typeof v.query === 'string' ? v.query : '')),
  ];
  return new Set(queries.flatMap((q) => q.match(METRIC_NAME) ?? []));
}

/** The alert names and the metric names of their expressions (`expr:` up to the next key). */
function alertRules(): { alerts: string[]; names: Set<string> } {
  const text = readFileSync(ALERTS, 'utf8');
  const alerts = [...text.matchAll(/^\s*- alert: (\S+)$/gm)].map((m) => m[1]);
  const exprs = [...text.matchAll(/^(\s*)expr: (.*(?:\n\1 {2,}.*)*)/gm)].map((m) => m[2]);
  expect(exprs).toHaveLength(alerts.length);
  return { alerts, names: new Set(exprs.flatMap((e) => e.match(METRIC_NAME) ?? [])) };
}

const spawned: ChildProcess[] = [];

function start(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', SANKSI_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return { child, output: () => out };
}

async function untilAnswers(url: string, proc: { child: ChildProcess; output: () => string }): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (proc.child.exitCode !== null) break;
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered: ${proc.output()}`);
}

describe('infra/observability: dashboards and alerts name only metrics the API and the worker serve', () => {
  const { dir, cleanup } = tempDir('observability');

  afterAll(async () => {
    for (const c of spawned) {
      if (c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
    }
    cleanup();
  });

  it('given sanksi serve and a standalone worker, when both /metrics are scraped, then every metric of the dashboard and the alert rules is served', async () => {
    // given the API (sanksi serve, HTTP only) and a standalone worker on the same data directory
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const api = start([CLI, 'serve', '--port', String(apiPort), '--no-worker'], {
      SANKSI_DATA_DIR: dir,
      SANKSI_API_KEYS: `operator:${OPERATOR_KEY}`,
    });
    const worker = start([WORKER_MAIN], {
      SANKSI_DATA_DIR: dir,
      WORKER_PORT: String(workerPort),
      SANKSI_WORKER: 'projector,scheduler',
    });
    const apiBase = `http://127.0.0.1:${apiPort}`;
    const workerBase = `http://127.0.0.1:${workerPort}`;
    await untilAnswers(`${apiBase}/health/live`, api);
    await untilAnswers(`${workerBase}/health/ready`, worker);
    // one command, so the command and append series have values too
    const opened = await fetch(`${apiBase}/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pseId: 'obs-1', name: 'Obs', origin: 'domestic', domains: ['obs-1.id'] }),
    });
    expect(opened.status).toBe(201);

    // when
    const apiMetrics = await (await fetch(`${apiBase}/metrics`)).text();
    const workerMetrics = await (await fetch(`${workerBase}/metrics`)).text();
    const served = new Set([...servedNames(apiMetrics), ...servedNames(workerMetrics)]);

    // then: the files name metrics at all (so this test can fail), and the six required alerts exist
    const dashboard = dashboardNames();
    const { alerts, names: alerting } = alertRules();
    expect(dashboard.size).toBeGreaterThanOrEqual(15);
    expect(alerting.size).toBeGreaterThanOrEqual(5);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'SanksiProjectorLagging',
        'SanksiRelayLagging',
        'SanksiWorkerLoopStopped',
        'SanksiHttp5xxRate',
        'SanksiDlqGrowing',
        'SanksiHttpP99LatencyHigh',
      ]),
    );
    // and every one of them is served by the API or the worker
    const missing = [...new Set([...dashboard, ...alerting])].filter((n) => !served.has(n)).sort();
    expect(missing).toEqual([]);
    // the worker's loops are on the worker's /metrics with values, the HTTP series on the API's
    expect(workerMetrics).toMatch(/^sanksi_worker_running\{worker="projector"\} 1$/m);
    expect(apiMetrics).toMatch(
      /^sanksi_http_requests_total\{method="POST",route="\/v1\/cases",status="201"\} 1$/m,
    );
    expect(apiMetrics).toMatch(
      /^sanksi_commands_total\{command="IdentifyPse",outcome="applied",code="none"\} 1$/m,
    );
  });
});
