import { createRuntime, loadConfig, ManualClock, type SanksiRuntime } from '@sanksi/application';
import {
  TEST_PROJECTOR_LEASE_TTL_MS,
  temporaryDirectory,
  type TemporaryDirectory,
  waitUntil,
} from '@sanksi/testing';
import { startWorker, type WorkerHandle } from './worker';
import { silent, FAST, identify, projectorOf } from './testing/worker-spec-kit';

jest.setTimeout(60_000);

/**
 * Two runtimes on the same SQLite files, as `sanksi serve` and a CLI command (or a second server) are:
 * the server's projector is supervised, and the others wait for it instead of writing beside it.
 */
describe('supervised projector beside other processes on the same SQLite files', () => {
  let dir: TemporaryDirectory;
  const opened: SanksiRuntime[] = [];
  const workers: WorkerHandle[] = [];

  beforeEach(() => {
    dir = temporaryDirectory('sanksi-supervision');
  });

  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
    for (const r of opened.splice(0)) await r.close();
    dir.remove();
  });

  async function open(): Promise<SanksiRuntime> {
    const runtime = await createRuntime(
      // The runtime's own projector is the one supervised and asked here (`runtime.projector.status()`);
      // the same scenarios with the projector in its thread are in projector-thread.int.spec.ts.
      loadConfig({
        SANKSI_DATA_DIR: dir.path,
        SANKSI_LOG_LEVEL: 'silent',
        SANKSI_PROJECTOR_MODE: 'in-process',
      }),
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
    const worker = await startWorker(runtime, ['projector'], FAST);
    workers.push(worker);
    return worker;
  }

  it('a command reading the read models waits for the running projector instead of fighting it', async () => {
    const server = await open();
    const worker = await serve(server);
    await waitUntil(
      'the projector holds the lease',
      async () => (await server.projector.status()).role === 'follower',
    );
    const cli = await open();
    for (let i = 0; i < 20; i++) await identify(cli, `pse-${i}`);
    const caughtUp = await cli.projector.catchUp();
    expect(caughtUp.by).toBe('follower');
    expect(caughtUp.position).toBe(await cli.eventStore.headPosition());
    expect((await cli.readModels.listCases({ limit: 100 })).items).toHaveLength(20);
    const projector = await projectorOf(worker);
    expect(projector).toMatchObject({ state: 'running', restarts: 0, lastError: null, lag: 0 });
  });

  it('a projector hit by a CheckpointConflict (a rebuild from another process) restarts and catches up', async () => {
    const server = await open();
    const worker = await serve(server);
    for (let i = 0; i < 30; i++) await identify(server, `pse-${i}`);
    await waitUntil('the server projected everything', async () => (await projectorOf(worker)).lag === 0);

    // `sanksi projections rebuild` from another process empties the read models and resets the
    // checkpoint under the running projector: its next check finds the checkpoint moved back.
    const cli = await open();
    const rebuilt = await cli.projector.rebuild();
    expect(rebuilt.by).toBe('follower');
    expect(rebuilt.position).toBe(await cli.eventStore.headPosition());
    expect((await cli.readModels.listCases({ limit: 100 })).items).toHaveLength(30);

    const projector = await projectorOf(worker);
    expect(projector.state).toBe('running');
    expect(projector.restarts).toBeGreaterThanOrEqual(1);
    expect(projector.lastError?.code).toBe('CHECKPOINT_CONFLICT');
    // And it keeps following: new events are projected by the restarted projector.
    await identify(cli, 'pse-after');
    await waitUntil(
      'the restarted projector follows again',
      async () => (await projectorOf(worker)).lag === 0,
    );
    expect(await server.readModels.getCaseSummary('pse-after')).not.toBeNull();
  });

  it('a projector that lost a commit race to a tool ignoring the lease restarts from the checkpoint as it is', async () => {
    const server = await open();
    const worker = await serve(server);
    const tool = await open();
    // A tool projecting on its own (`runOnce` ignores the lease) while events keep arriving: whichever
    // commits second finds the checkpoint moved. Both sides survive and the read models end complete.
    for (let round = 0; round < 15; round++) {
      await Promise.all([
        identify(tool, `race-${round}-a`),
        identify(tool, `race-${round}-b`),
        tool.projector.runOnce(),
      ]);
    }
    await tool.projector.runOnce();
    await waitUntil('the server is at the head', async () => (await projectorOf(worker)).lag === 0);
    const projector = await projectorOf(worker);
    expect(projector.state).toBe('running');
    expect((await server.readModels.listCases({ limit: 100 })).items).toHaveLength(30);
    if (projector.restarts > 0) expect(projector.lastError?.code).toBe('CHECKPOINT_CONFLICT');
  });

  it('a second server stands by while the first projector follows, and takes over when it stops', async () => {
    const first = await open();
    const firstWorker = await serve(first);
    await waitUntil(
      'the first projector leads',
      async () => (await first.projector.status()).role === 'follower',
    );
    const second = await open();
    await serve(second);
    await waitUntil('the second stands by', async () => (await second.projector.status()).role === 'standby');
    await identify(second, 'pse-1');
    await waitUntil('the first projects', async () => (await projectorOf(firstWorker)).lag === 0);

    await firstWorker.stop();
    workers.splice(workers.indexOf(firstWorker), 1);
    await waitUntil(
      'the second takes over',
      async () => (await second.projector.status()).role === 'follower',
    );
    await identify(second, 'pse-2');
    await waitUntil(
      'the second projects',
      async () => (await second.readModels.getCaseSummary('pse-2')) !== null,
    );
  });
});
