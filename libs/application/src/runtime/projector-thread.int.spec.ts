import type { Actor } from '@sanksi/domain';
import {
  TEST_PROJECTOR_LEASE_TTL_MS,
  temporaryDirectory,
  type TemporaryDirectory,
  waitUntil,
} from '@sanksi/testing';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ManualClock } from '../cases/clock';
import { loadConfig } from '../config/sanksi-config';
import type { ProjectorThread } from './projector-thread';
import { createRuntime, type SanksiRuntime } from './sanksi-runtime';
import { SupervisedLoop } from './supervised-loop';

// The thread runs the built script (libs/application/dist): these specs need `nx build application`.
jest.setTimeout(60_000);

const OPERATOR: Actor = { id: 'op-1', role: 'operator' };

async function identify(runtime: SanksiRuntime, pseId: string): Promise<void> {
  await runtime.commands.execute(
    {
      type: 'IdentifyPse',
      pseId,
      name: pseId,
      origin: 'foreign',
      domains: [`${pseId}.com`],
      policy: 'kominfo-2022',
      company: null,
      sector: null,
    },
    { actor: OPERATOR },
  );
}

describe('ProjectorThread', () => {
  let dir: TemporaryDirectory;
  let runtime: SanksiRuntime;
  let thread: ProjectorThread;
  let lines: Array<Record<string, unknown>>;
  const loops: SupervisedLoop[] = [];

  beforeEach(async () => {
    dir = temporaryDirectory('sanksi-projector-thread');
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    runtime = await createRuntime(loadConfig({ SANKSI_DATA_DIR: dir.path, SANKSI_LOG_LEVEL: 'silent' }), {
      clock: new ManualClock('2022-07-18T02:00:00Z'),
      logger: pino({ level: 'info' }, sink),
      projector: { leaseTtlMs: TEST_PROJECTOR_LEASE_TTL_MS },
    });
    thread = runtime.createProjectorThread();
  });

  afterEach(async () => {
    for (const loop of loops.splice(0)) await loop.stop();
    await thread.close();
    await runtime.close();
    dir.remove();
  });

  // A status request times out (5 s) while the thread still starts on a loaded machine: ask again.
  const statusOf = () => thread.statuses().catch(() => null);

  function supervise(projection: 'cases' | 'traffic'): SupervisedLoop {
    const loop = new SupervisedLoop({
      name: projection,
      backoff: { initialMs: 20, maxMs: 200 },
      run: (signal) => thread.run(projection, signal),
    });
    loop.start();
    loops.push(loop);
    return loop;
  }

  it('projects appends of the main thread into the read models, woken by them, its batches in the metrics', async () => {
    supervise('cases');
    supervise('traffic');
    await waitUntil('the thread follows', async () => (await statusOf())?.cases.role === 'follower');
    const started = Date.now();
    await identify(runtime, 'pse-1');
    await waitUntil(
      'pse-1 projected',
      async () => (await runtime.readModels.getCaseSummary('pse-1')) !== null,
    );
    // Woken by the append's message, not by its poll (250 ms), on an unloaded machine; generous here.
    expect(Date.now() - started).toBeLessThan(5_000);
    for (let i = 2; i <= 20; i++) await identify(runtime, `pse-${i}`);
    await waitUntil('the thread is at the head', async () => (await statusOf())?.cases.lag === 0);
    const { cases, traffic } = await thread.statuses();
    expect(cases).toMatchObject({ checkpoint: 'read-models', running: true, lastError: null, lag: 0 });
    expect(cases.position).toBe(await runtime.eventStore.headPosition());
    expect(traffic).toMatchObject({ checkpoint: 'traffic-observations', role: 'follower', lag: 0 });
    const metrics = await runtime.metrics.registry.metrics();
    expect(metrics).toMatch(/^sanksi_projected_events_total 20$/m);
    // The lease is the thread's projector's, not this runtime's own (idle) projector's.
    const lease = await runtime.readModels.projectorLeaseHolder('read-models');
    expect(lease).not.toBeNull();
    expect((await runtime.projector.status()).role).toBe('idle');
  });

  it('forwards the thread’s log lines to the process logger with their bindings', async () => {
    // Another projector holds the lease: the thread's projector stands by and says so.
    runtime.projector.start();
    await waitUntil(
      'the in-process projector leads',
      async () => (await runtime.projector.status()).role === 'follower',
    );
    supervise('cases');
    await waitUntil('the thread stands by', async () => (await statusOf())?.cases.role === 'standby');
    await waitUntil('the standby line arrived', () =>
      lines.some((l) => l.msg === 'another projector follows the log; standing by'),
    );
    expect(lines.find((l) => l.msg === 'another projector follows the log; standing by')).toMatchObject({
      worker: 'projector',
      checkpoint: 'read-models',
      level: 30,
    });
    await runtime.projector.stop();
  });

  it('a thread that dies fails the runs in hand; the supervisor starts a new one that goes on from the checkpoint', async () => {
    const cases = supervise('cases');
    const traffic = supervise('traffic');
    await waitUntil('the thread follows', async () => (await statusOf())?.cases.role === 'follower');
    for (let i = 0; i < 10; i++) await identify(runtime, `before-${i}`);
    await waitUntil('projected', async () => (await statusOf())?.cases.lag === 0);

    await thread.terminate();
    await waitUntil(
      'both loops restarted',
      () => cases.status().restarts >= 1 && traffic.status().restarts >= 1,
    );
    expect(cases.status().lastError?.code).toBe('PROJECTOR_THREAD_FAILED');
    // The old thread's lease lapses (300 ms here) and the new thread takes over.
    for (let i = 0; i < 10; i++) await identify(runtime, `after-${i}`);
    await waitUntil('the new thread projected everything', async () => {
      const s = await thread.statuses().catch(() => null);
      return s !== null && s.cases.role === 'follower' && s.cases.lag === 0;
    });
    expect((await runtime.readModels.listCases({ limit: 100 })).items).toHaveLength(20);
    expect(cases.status().state).toBe('running');
  });

  it('a run that ends in error (the checkpoint moved back) fails with the error’s own code, as in process', async () => {
    const cases = supervise('cases');
    await waitUntil('the thread follows', async () => (await statusOf())?.cases.role === 'follower');
    for (let i = 0; i < 5; i++) await identify(runtime, `pse-${i}`);
    await waitUntil('projected', async () => (await runtime.readModels.getCheckpoint()) > 0);
    // The checkpoint moved back under the follower (a rebuild elsewhere): its check ends the run.
    await runtime.readModels.reset('read-models');
    await waitUntil('the run ended and restarted', () => cases.status().restarts >= 1);
    expect(cases.status().lastError?.code).toBe('CHECKPOINT_CONFLICT');
  });

  it('stops cleanly: the batch in hand committed, the lease released, the thread gone', async () => {
    supervise('cases');
    await waitUntil('the thread follows', async () => (await statusOf())?.cases.role === 'follower');
    for (let i = 0; i < 30; i++) void identify(runtime, `pse-${i}`);
    await waitUntil('some projected', async () => (await runtime.readModels.getCheckpoint()) > 0);
    for (const loop of loops.splice(0)) await loop.stop();
    await thread.close();
    expect(await runtime.readModels.projectorLeaseHolder('read-models')).toBeNull();
    await expect(thread.statuses()).rejects.toThrow(/not running/);
    // Whatever it committed, it committed with its checkpoint: the rows and the checkpoint agree.
    const checkpoint = await runtime.readModels.getCheckpoint();
    const { items } = await runtime.readModels.listCases({ limit: 100 });
    const events = await runtime.eventStore.readAll({ after: 0, limit: 100 });
    expect(items).toHaveLength(events.filter((e) => e.position <= checkpoint).length);
  });
});
