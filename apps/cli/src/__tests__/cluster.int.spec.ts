import { spawn } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

// The deployment of infra/compose.yaml as processes (docs/deployment.md): tools/demo-cluster.mjs starts
// two API processes and one worker on a fresh PostgreSQL database and a Kafka topic of the run's own,
// sends commands to both APIs, stops everything with SIGTERM and reports what each source held. This
// spec checks that report itself, source against source, rather than trusting the script's verdict.
const root = path.resolve(__dirname, '../../../..');
const ADMIN_URL = process.env['DEMO_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';

interface ClusterReport {
  runId: string;
  database: string;
  topic: string;
  agree: boolean;
  problems: string[];
  apis: Array<{ name: string; pid: number; port: number }>;
  worker: { pid: number; port: number };
  commands: Array<{ api: string; url: string; status: number; requestId: string }>;
  eventLog: Array<{ eventId: string; pseId: string; revision: number; type: string; correlationId: string }>;
  kafka: Array<{
    eventId: string;
    key: string;
    partition: number;
    offset: number;
    traceparent: string | null;
    revision: number;
  }>;
  readModels: Record<string, Record<string, { state: string; version: number }>>;
  blocklist: Record<string, string[]>;
  exits: Record<string, { code: number | null; signal: string | null }>;
}

function runCluster(): Promise<{ code: number | null; report: ClusterReport | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'tools/demo-cluster.mjs'), '--json', '--no-build', '--cases', '8'],
      {
        cwd: root,
        env: { PATH: process.env['PATH'] ?? '', KAFKA_BROKERS: BROKERS, DEMO_PG_ADMIN_URL: ADMIN_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGTERM'), 150_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      let report: ClusterReport | null = null;
      try {
        report = JSON.parse(stdout) as ClusterReport;
      } catch {
        report = null;
      }
      resolve({ code, report, stderr });
    });
  });
}

describe('two APIs and one worker on PostgreSQL and Kafka, as processes', () => {
  let run: Awaited<ReturnType<typeof runCluster>>;
  let report: ClusterReport;

  beforeAll(async () => {
    run = await runCluster();
    if (!run.report) throw new Error(`demo-cluster produced no report (exit ${run.code}):\n${run.stderr}`);
    report = run.report;
  }, 180_000);

  it('given the run, then it ended well: every process stopped on SIGTERM with exit 0, nothing disagreed', () => {
    expect({ code: run.code, problems: report.problems }).toEqual({ code: 0, problems: [] });
    expect(report.agree).toBe(true);
    expect(Object.keys(report.exits).sort()).toEqual(['api-1', 'api-2', 'worker']);
    for (const exit of Object.values(report.exits)) expect(exit).toEqual({ code: 0, signal: null });
    expect(new Set([...report.apis.map((a) => a.pid), report.worker.pid]).size).toBe(3);
    expect(new Set(report.apis.map((a) => a.port)).size).toBe(2);
  });

  it('given commands sent to both APIs, then both took them and every one was applied', () => {
    expect(new Set(report.commands.map((c) => c.api))).toEqual(new Set(['api-1', 'api-2']));
    expect(report.commands.every((c) => c.status === 201)).toBe(true);
    expect(report.commands).toHaveLength(16);
  });

  it('given the event log, then Kafka holds exactly its events, each case on one partition in revision order', () => {
    const logIds = report.eventLog.map((e) => e.eventId).sort();
    expect([...new Set(report.kafka.map((m) => m.eventId))].sort()).toEqual(logIds);
    for (const pseId of new Set(report.eventLog.map((e) => e.pseId))) {
      const messages = report.kafka.filter((m) => m.key === pseId).sort((a, b) => a.offset - b.offset);
      expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
      const revisions = messages.map((m) => m.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    }
  });

  it('given both APIs, then their read models are the same and hold every case at the version of the log', () => {
    expect(report.readModels['api-1']).toEqual(report.readModels['api-2']);
    const cases = report.readModels['api-1'];
    expect(Object.keys(cases)).toHaveLength(8);
    for (const [pseId, view] of Object.entries(cases))
      expect(view.version).toBe(report.eventLog.filter((e) => e.pseId === pseId).length);
  });

  it('given the cases the worker blocked (their response period long past), then both blocklists list their domains and no other', () => {
    const blocked = Object.entries(report.readModels['api-1']).filter(([, v]) => v.state === 'blocked');
    expect(blocked).toHaveLength(4);
    expect(report.eventLog.filter((e) => e.type === 'AccessBlocked')).toHaveLength(4);
    const domains = blocked.map(([pseId]) => `c${pseId.split('-').pop()}-${report.runId}.example`).sort();
    expect(report.blocklist['api-1']).toEqual(domains);
    expect(report.blocklist['api-2']).toEqual(domains);
  });

  it('given an event appended by an HTTP command, then it names the request and carries its trace to Kafka', () => {
    const requestIds = new Set(report.commands.map((c) => c.requestId));
    const fromHttp = report.eventLog.filter((e) => requestIds.has(e.correlationId));
    expect(fromHttp.length).toBeGreaterThanOrEqual(16);
    for (const event of fromHttp) {
      const message = report.kafka.find((m) => m.eventId === event.eventId);
      expect(message?.traceparent?.split('-')[1]).toBe(event.correlationId);
    }
  });

  it('given the run is over, then its database and its topic are gone', async () => {
    const pg = new Client({ connectionString: ADMIN_URL });
    await pg.connect();
    try {
      const found = await pg.query('SELECT 1 FROM pg_database WHERE datname = $1', [report.database]);
      expect(found.rowCount).toBe(0);
    } finally {
      await pg.end();
    }
    const admin = new Kafka({
      clientId: 'cluster-spec',
      brokers: BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(report.topic);
    } finally {
      await admin.disconnect();
    }
  });
});
