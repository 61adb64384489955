import { createRuntime, loadConfig, ManualClock, type SanksiRuntime } from '@sanksi/application';
import {
  TEST_PROJECTOR_LEASE_TTL_MS,
  temporaryDirectory,
  type TemporaryDirectory,
  waitUntil,
} from '@sanksi/testing';
import { startWorker, type WorkerHandle } from './worker';
import { silent, FAST, identify, projectorOf } from './testing/worker-spec-kit';

// SANKSI_PROJECTOR_MODE=thread: the worker's projector runs in a thread of the process (decision 0012),
// from the built script of libs/application (these specs need `nx build application`).
jest.setTimeout(60_000);

describe('the worker with its projector in a thread', () => {
  let dir: TemporaryDirectory;
  const opened: SanksiRuntime[] = [];
  const workers: WorkerHandle[] = [];

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-projector-thread');
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    for (const r of opened.splice(0)) await r.close();
    dir.remove();
  });

  async function open(mode: 'thread' | 'in-process' = 'thread'): Promise<SanksiRuntime> {
    const runtime = await createRuntime(
      loadConfig({ SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent', SANKSI_PROJECTOR_MODE: mode }),
      {
        clock: new ManualClock('2022-07-18T02:00:00Z'),
        logger: silent,
        projector: { leaseTtlMs: TEST_PROJECTOR_LEASE_TTL_MS },
      },
    );
    opened.push(runtime);
    return runtime;
  }

  async function serve(runtime: SanksiRuntime): Promise<WorkerHandle> {
    const worker = await startWorker(runtime, ['projector', 'scheduler'], FAST);
    workers.push(worker);
    return worker;
  }

  it('catches up with the log as it was at start, then follows; statuses and /metrics read the thread', async () => {
    const server = await open();
    for (let i = 0; i < 50; i++) await identify(server, `before-${i}`);
    const worker = await serve(server);
    await waitUntil('caught up', async () => (await projectorOf(worker)).caughtUp === true);
    for (let i = 0; i < 10; i++) await identify(server, `after-${i}`);
    await waitUntil('at the head', async () => (await projectorOf(worker)).lag === 0);
    expect(await projectorOf(worker)).toMatchObject({
      state: 'running',
      healthy: true,
      restarts: 0,
      lastError: null,
      caughtUp: true,
      position: await server.eventStore.headPosition(),
    });
    expect((await server.readModels.listCases({ limit: 100 })).items).toHaveLength(60);
    const metrics = await server.metrics.registry.metrics();
    expect(metrics).toMatch(/^sanksi_projected_events_total 60$/m);
    expect(metrics).toMatch(/^sanksi_worker_lag\{worker="projector"\} 0$/m);
    expect(metrics).toMatch(/^sanksi_worker_running\{worker="projector"\} 1$/m);
  });

  it('a thread projector hit by a CheckpointConflict (a rebuild from another process) restarts and catches up', async () => {
    const server = await open();
    const worker = await serve(server);
    for (let i = 0; i < 30; i++) await identify(server, `pse-${i}`);
    await waitUntil('the server projected everything', async () => (await projectorOf(worker)).lag === 0);

    const cli = await open('in-process');
    const rebuilt = await cli.projector.rebuild();
    expect(rebuilt.by).toBe('follower');
    expect((await cli.readModels.listCases({ limit: 100 })).items).toHaveLength(30);
    const projector = await projectorOf(worker);
    expect(projector.state).toBe('running');
    expect(projector.restarts).toBeGreaterThanOrEqual(1);
    expect(projector.lastError?.code).toBe('CHECKPOINT_CONFLICT');
    await identify(cli, 'pse-after');
    await waitUntil(
      'the restarted projector follows again',
      async () => (await projectorOf(worker)).lag === 0,
    );
    expect(await server.readModels.getCaseSummary('pse-after')).not.toBeNull();
  });

  it('a command of another process waits for the thread projector (it holds the lease) and a stop hands the lease on', async () => {
    const server = await open();
    const worker = await serve(server);
    await waitUntil('the thread holds the lease', async () => {
      const lease = await server.readModels.projectorLeaseHolder('read-models');
      return lease !== null;
    });
    const cli = await open('in-process');
    for (let i = 0; i < 20; i++) await identify(cli, `pse-${i}`);
    const caughtUp = await cli.projector.catchUp();
    expect(caughtUp.by).toBe('follower');
    expect(caughtUp.position).toBe(await cli.eventStore.headPosition());

    await worker.stop();
    workers.splice(workers.indexOf(worker), 1);
    // SIGTERM's path: the thread finished its batch, committed its checkpoint and released the lease.
    expect(await server.readModels.projectorLeaseHolder('read-models')).toBeNull();
    expect(await server.readModels.projectorLeaseHolder('traffic-observations')).toBeNull();
    expect(await server.readModels.getCheckpoint()).toBe(await server.eventStore.headPosition());
  });
});
