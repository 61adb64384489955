import { Client } from 'pg';
import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from '@sanksi/testing';
import { backendsOf, postgresCpuProbe, spent } from './cpu-meter';

describe('cpu meter on a real PostgreSQL server (loopback)', () => {
  let database: TemporaryPostgresDatabase;
  let worker: Client;
  let monitor: Client;

  beforeAll(async () => {
    database = await createTemporaryPostgresDatabase('sanksi_bench_cpu');
    worker = new Client({ connectionString: database.url, application_name: 'cpu-meter-worker' });
    monitor = new Client({ connectionString: database.url, application_name: 'cpu-meter-monitor' });
    await Promise.all([worker.connect(), monitor.connect()]);
  });

  afterAll(async () => {
    await Promise.all([worker.end(), monitor.end()]);
    await database.drop();
  });

  it('given a backend busy with queries, when read before and after, then its server CPU is counted and the monitor is not', async () => {
    const pids = await backendsOf(monitor, 'cpu-meter-worker');
    const probe = postgresCpuProbe(database.url, () => backendsOf(monitor, 'cpu-meter-worker'));
    const before = await probe();
    await worker.query('SELECT count(*) FROM generate_series(1, 300000)');
    const used = spent(before, await probe());

    expect(pids).toEqual([
      (await worker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid,
    ]);
    expect(before.server?.size).toBe(1);
    expect(used.server).toBeGreaterThan(0);
    expect(used.client).toBeGreaterThanOrEqual(0);
  });

  it('given a server that is not on this machine, then its CPU is unknown rather than read from unrelated processes', async () => {
    const remote = postgresCpuProbe('postgres://postgres@db.example:5432/x', async () => [process.pid]);

    expect((await remote()).server).toBeNull();
  });

  it('given a process id that is not a PostgreSQL backend, then the server CPU is unknown', async () => {
    const probe = postgresCpuProbe(database.url, async () => [process.pid]);

    expect((await probe()).server).toBeNull();
  });
});
