import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { createRuntime, loadConfig, ManualClock, type SanksiRuntime } from '@sanksi/application';
import { calendarSpan } from '@sanksi/domain';
import {
  createTemporaryPostgresDatabase,
  temporaryDirectory,
  type TemporaryDirectory,
  type TemporaryPostgresDatabase,
  waitUntil,
  freePort,
} from '@sanksi/testing';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { startWorkerApp, type WorkerApp } from './worker-app';
import { exitCodeOf, runWorkerProcess } from './worker-process';
import { WorkerSupervisor } from './worker-supervisor';
import { WorkerModule } from './worker.module';
import { identify } from './testing/worker-spec-kit';

jest.setTimeout(60_000);

/** The value of one series in a Prometheus exposition (0 when absent). */
function valueOf(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** The standalone worker over HTTP (`WORKER_PORT`): health, readiness per loop, metrics. */
describe.each([
  ['SQLite files', false],
  ['PostgreSQL', true],
] as const)('the worker application on %s', (_name, onPostgres) => {
  let dir: TemporaryDirectory;
  let database: TemporaryPostgresDatabase | null = null;
  let runtime: SanksiRuntime | undefined;
  let app: WorkerApp | undefined;
  let supervisor: WorkerSupervisor | undefined;

  beforeEach(async () => {
    dir = temporaryDirectory('sanksi-worker-app');
    if (onPostgres) database = await createTemporaryPostgresDatabase('sanksi_worker_app');
    const port = await freePort();
    runtime = await createRuntime(
      loadConfig({
        SANKSI_DATA_DIR: dir.path,
        SANKSI_LOG_LEVEL: 'silent',
        WORKER_PORT: String(port),
        SANKSI_WORKER: 'projector,scheduler',
        ...(database ? { SANKSI_EVENT_STORE: 'postgres', DATABASE_URL: database.url } : {}),
      }),
      { clock: new ManualClock('2022-07-18T02:00:00Z'), logger: pino({ level: 'silent' }) },
    );
    supervisor = new WorkerSupervisor(runtime);
    app = await startWorkerApp({
      runtime,
      supervisor,
      options: { scheduler: { intervalMs: 50 }, restartBackoff: { initialMs: 50, maxMs: 200 } },
    });
  });

  afterEach(async () => {
    await app?.worker.stop();
    await runtime?.close();
    app = undefined;
    runtime = undefined;
    await database?.drop();
    database = null;
    dir.remove();
  });

  const get = (path: string) => fetch(`${(app as WorkerApp).url}${path}`);

  it('given the loops running, then live is 200 and ready is 200 with one indicator per store and loop, numbers only', async () => {
    // when (ready says catching-up until the scheduler and projector have been through what was due
    // at start: wait for that, as a load balancer would)
    const live = await get('/health/live');
    let ready = await get('/health/ready');
    for (let i = 0; i < 200 && ready.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ready = await get('/health/ready');
    }
    // then
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; details: Record<string, Record<string, unknown>> };
    expect(body.status).toBe('ok');
    expect(body.details).toEqual({
      'event-store': { status: 'up' },
      'read-models': { status: 'up' },
      projector: { status: 'up', state: 'running', restarts: 0, lag: expect.any(Number) },
      scheduler: { status: 'up', state: 'running', restarts: 0 },
    });
  });

  it('given commands appended by another process, then /metrics shows them projected and the lag back at 0', async () => {
    // given the head and the projector as scraped before
    const before = await (await get('/metrics')).text();
    // when another runtime on the same stores appends five cases
    const other = await createRuntime((runtime as SanksiRuntime).config, {
      logger: pino({ level: 'silent' }),
    });
    try {
      for (let i = 0; i < 5; i++) await identify(other, `pse-${i}`);
    } finally {
      await other.close();
    }
    // then this worker's projector follows, and its metrics say so
    await waitUntil('the projector at the head', async () => {
      const m = await (await get('/metrics')).text();
      return (
        valueOf(m, 'sanksi_event_store_head_position') === 5 &&
        valueOf(m, 'sanksi_worker_lag{worker="projector"}') === 0
      );
    });
    const after = await (await get('/metrics')).text();
    expect(valueOf(before, 'sanksi_event_store_head_position')).toBe(0);
    expect(valueOf(after, 'sanksi_worker_position{worker="projector"}')).toBe(5);
    expect(valueOf(after, 'sanksi_projected_events_total')).toBe(5);
    expect(valueOf(after, 'sanksi_projection_batch_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'sanksi_worker_running{worker="scheduler"}')).toBe(1);
    expect(valueOf(after, 'sanksi_worker_restarts_total{worker="projector"}')).toBe(0);
    expect(after).toContain('process_resident_memory_bytes');
  });

  it('given the loops stopped while the port still serves, then ready is 503 naming each loop stopped, numbers only, and /metrics says they do not run', async () => {
    // when the loops stop (as after a failed shutdown step, or a loop that gave up) and HTTP still answers
    await (supervisor as WorkerSupervisor).stop();
    const ready = await get('/health/ready');
    // then
    expect(ready.status).toBe(503);
    const text = await ready.text();
    const body = JSON.parse(text) as {
      status: string;
      info: Record<string, unknown>;
      error: Record<string, Record<string, unknown>>;
    };
    expect(body.status).toBe('error');
    expect(body.info).toEqual({ 'event-store': { status: 'up' }, 'read-models': { status: 'up' } });
    expect(body.error.projector).toMatchObject({ status: 'down', state: 'stopped', restarts: 0 });
    expect(body.error.scheduler).toMatchObject({ status: 'down', state: 'stopped', restarts: 0 });
    expect(text).not.toMatch(/Error|message|stack|at /);
    const metrics = await (await get('/metrics')).text();
    expect(valueOf(metrics, 'sanksi_worker_running{worker="projector"}')).toBe(0);
    expect(valueOf(metrics, 'sanksi_worker_running{worker="scheduler"}')).toBe(0);
  });
});

describe('two applications on one supervisor (sanksi serve with WORKER_PORT)', () => {
  it('given the loops started by one application, when a second one with the HTTP port boots, then no loop starts twice and both stop once', async () => {
    const dir = temporaryDirectory('sanksi-worker-two-apps');
    const runtime = await createRuntime(
      loadConfig({
        SANKSI_DATA_DIR: dir.path,
        SANKSI_LOG_LEVEL: 'silent',
        WORKER_PORT: String(await freePort()),
      }),
      { logger: pino({ level: 'silent' }) },
    );
    try {
      // given the loops in one application (the API's, in serve)
      const supervisor = new WorkerSupervisor(runtime);
      const first = await NestFactory.createApplicationContext(
        WorkerModule.forRuntime({ runtime, supervisor }),
        {
          logger: false,
        },
      );
      await first.init();
      expect(supervisor.running).toEqual(['projector', 'scheduler']);
      // when the worker's HTTP application boots on the same supervisor
      const second = await startWorkerApp({ runtime, supervisor });
      // then the same two loops run, once, and the port serves their readiness
      expect(supervisor.running).toEqual(['projector', 'scheduler']);
      expect((await fetch(`${second.url}/health/ready`)).status).toBe(200);
      await first.close();
      await second.worker.stop();
      expect((await supervisor.statuses()).map((s) => s.state)).toEqual(['stopped', 'stopped']);
    } finally {
      await runtime.close();
      dir.remove();
    }
  });
});

describe('runWorkerProcess with WORKER_PORT', () => {
  let blocker: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = null;
  });

  it('serves health on WORKER_PORT and stops the loops and the port on SIGTERM', async () => {
    const dir = temporaryDirectory('sanksi-worker-port');
    const signals = new EventEmitter();
    const port = await freePort();
    try {
      // given
      const proc = await runWorkerProcess(
        { SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent', WORKER_PORT: String(port) },
        signals,
      );
      expect(proc.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${proc.url}/health/ready`)).status).toBe(200);
      // when
      signals.emit('SIGTERM');
      await proc.exited;
      // then the port is closed and the stores are too
      await expect(fetch(`${proc.url}/health/live`)).rejects.toThrow();
      await expect(proc.runtime.eventStore.headPosition()).rejects.toThrow();
    } finally {
      dir.remove();
    }
  });

  it('given WORKER_PORT taken, then the start fails (the process exits 1) and leaves no loop running', async () => {
    // given a port someone else listens on
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve));
    const dir = temporaryDirectory('sanksi-worker-taken');
    try {
      // when / then
      const taken = await runWorkerProcess(
        { SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent', WORKER_PORT: String(port) },
        new EventEmitter(),
      ).catch((e: unknown) => e);
      expect(taken).toMatchObject({ code: 'EADDRINUSE' });
      expect(exitCodeOf(taken)).toBe(1);
      // the loops and stores it had opened are gone: another worker takes the projector lease at once
      const rt = await createRuntime(loadConfig({ SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent' }), {
        logger: pino({ level: 'silent' }),
      });
      try {
        const caughtUp = await rt.projector.catchUp({ stallMs: 200 });
        expect(caughtUp.by).toBe('self');
      } finally {
        await rt.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('given a start less than 12 months before the end of the holiday table, then the worker warns once, naming the year to add; a year earlier it does not', async () => {
    // The year after the table's last (the test moves with the table): knownThrough is its 31 December.
    const { knownThrough, nextYear } = calendarSpan();
    const startAt = async (now: string) => {
      const dir = temporaryDirectory('sanksi-worker-calendar');
      const signals = new EventEmitter();
      const lines: Array<Record<string, unknown>> = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
          done();
        },
      });
      try {
        const proc = await runWorkerProcess(
          { SANKSI_DATA_DIR: dir.path, SANKSI_WORKER: 'none', WORKER_PORT: 'off' },
          signals,
          { runtime: { clock: new ManualClock(now), logger: pino({ level: 'info' }, sink) } },
        );
        signals.emit('SIGTERM');
        await proc.exited;
        return lines.filter((l) => l['calendar'] !== undefined);
      } finally {
        dir.remove();
      }
    };

    // given / when: the worker starts in June of the table's last year
    const near = await startAt(`${nextYear - 1}-06-01T01:00:00Z`);
    // then
    expect(near).toHaveLength(1);
    expect(near[0]).toMatchObject({
      level: 40,
      calendar: { knownThrough, nextYear },
      msg: expect.stringContaining(`add the ${nextYear} holidays (docs/calendar.md §Adding a year)`),
    });
    // given / when: a year and a half before the end, then nothing
    expect(await startAt(`${nextYear - 2}-06-01T01:00:00Z`)).toEqual([]);
  });

  it('given a read-model database a newer build migrated, then the start fails naming both versions (the process exits 3, as the CLI)', async () => {
    // given a data directory whose read models carry a migration after this build's newest
    const dir = temporaryDirectory('sanksi-worker-newer');
    try {
      const rt = await createRuntime(loadConfig({ SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent' }), {
        logger: pino({ level: 'silent' }),
      });
      await rt.readModels.migrate();
      await rt.close();
      const db = new Database(path.join(dir.path, 'read-models.db'));
      const newest = db.prepare('SELECT max(version) FROM read_model_migrations').pluck().get() as number;
      db.prepare(`INSERT INTO read_model_migrations VALUES (?, 'from a newer build', '2027-01-01')`).run(
        newest + 1,
      );
      db.close();
      // when / then
      const refused = await runWorkerProcess(
        { SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent', WORKER_PORT: 'off' },
        new EventEmitter(),
      ).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'READ_MODEL_SCHEMA_TOO_NEW', known: newest, found: newest + 1 });
      expect(exitCodeOf(refused)).toBe(3);
    } finally {
      dir.remove();
    }
  });

  it('given an event log a newer build migrated, then the start fails naming both versions (the process exits 3, as the CLI)', async () => {
    // given a data directory whose event log carries a schema version after this build's newest
    const dir = temporaryDirectory('sanksi-worker-newer-log');
    try {
      const rt = await createRuntime(loadConfig({ SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent' }), {
        logger: pino({ level: 'silent' }),
      });
      await rt.eventStore.headPosition();
      await rt.close();
      const db = new Database(path.join(dir.path, 'events.db'));
      const newest = db.pragma('user_version', { simple: true }) as number;
      db.pragma(`user_version = ${newest + 1}`);
      db.close();
      // when / then
      const refused = await runWorkerProcess(
        { SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent', WORKER_PORT: 'off' },
        new EventEmitter(),
      ).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'EVENT_STORE_SCHEMA_TOO_NEW', known: newest, found: newest + 1 });
      expect(exitCodeOf(refused)).toBe(3);
    } finally {
      dir.remove();
    }
  });

  it('refuses an invalid WORKER_PORT, naming the variable (the process exits 3, as the CLI)', async () => {
    const refused = await runWorkerProcess({ WORKER_PORT: 'eighty' }, new EventEmitter()).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/WORKER_PORT/);
    expect(exitCodeOf(refused)).toBe(3);
  });
});
