import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeadlineScheduler, SupervisedLoop } from '@sanksi/application';
import type { Actor } from '@sanksi/domain';
import type { Role } from '../auth/api-keys';
import type { WorkerStatusSource } from '../ops/worker-status';
import { startApiHarness, TEST_KEYS, type ApiHarness } from '../testing/api-harness';
import { createApiApp } from '../api-app';
import { ApiKeyRegistry } from '../auth/api-keys';
import { EventFanOut } from './event-fan-out';

jest.setTimeout(30_000);

const OPERATOR: Actor = { id: 'op-1', role: 'operator' };

/** An open SSE connection: what it received so far, and how to close it. */
interface Stream {
  status: number;
  text(): string;
  waitFor(pattern: RegExp, count?: number): Promise<void>;
  ended: Promise<void>;
  close(): void;
}

function openStream(port: number, role: Role, path = '/v1/events/stream'): Promise<Stream> {
  return new Promise((resolve, reject) => {
    let text = '';
    let ended: () => void = () => undefined;
    const endedPromise = new Promise<void>((r) => (ended = r));
    const req = http.get(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${TEST_KEYS[role]}` } },
      (res) => {
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => ended());
        res.on('close', () => ended());
        // The first comment line means the stream is admitted and registered.
        const ready = () =>
          res.statusCode !== 200 || text.includes(': sanksi event stream')
            ? resolve({
                status: res.statusCode ?? 0,
                text: () => text,
                waitFor: async (pattern, count = 1) => {
                  const until = Date.now() + 10_000;
                  while ((text.match(new RegExp(pattern, 'gm')) ?? []).length < count) {
                    if (Date.now() > until)
                      throw new Error(`stream never showed ${String(pattern)}: ${text}`);
                    await new Promise((r) => setTimeout(r, 10));
                  }
                },
                ended: endedPromise,
                close: () => req.destroy(),
              })
            : setTimeout(ready, 5);
        ready();
      },
    );
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
  });
}

async function identify(h: ApiHarness, pseId: string): Promise<void> {
  await h.runtime.commands.execute(
    {
      type: 'IdentifyPse',
      pseId,
      name: pseId,
      origin: 'domestic',
      domains: [`${pseId}.id`],
      policy: 'pp43-2023',
      company: null,
      sector: null,
    },
    { actor: OPERATOR },
  );
}

describe('GET /v1/events/stream: one shared reader, capped', () => {
  let h: ApiHarness;
  let port: number;
  const streams: Stream[] = [];
  let subscriptions = 0;

  beforeEach(async () => {
    h = await startApiHarness({ SANKSI_SSE_MAX_CLIENTS: '3', SANKSI_SSE_MAX_CLIENTS_PER_KEY: '2' });
    // Count the subscriptions opened on the real store (the call goes through unchanged).
    const store = h.runtime.eventStore;
    const subscribe = store.subscribe.bind(store);
    subscriptions = 0;
    store.subscribe = (options) => {
      subscriptions += 1;
      return subscribe(options);
    };
    await identify(h, 'before-1');
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.getHttpServer().address() as AddressInfo).port;
  });

  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await h.close();
  });

  it('feeds every client from one subscription on the store: catch-up, then the same live events', async () => {
    for (const role of ['service', 'service', 'analyst'] as const) streams.push(await openStream(port, role));
    for (const s of streams) await s.waitFor(/^id: /m, 1);
    await identify(h, 'live-1');
    await identify(h, 'live-2');
    for (const s of streams) {
      await s.waitFor(/^event: PseIdentified/m, 3);
      expect(s.text()).toContain('"pseId":"live-2"');
    }
    expect(subscriptions).toBe(1);
    expect(h.app.get(EventFanOut).clients).toBe(3);
    expect(h.app.get(EventFanOut).storeSubscriptionsOpened).toBe(1);
  });

  it('refuses a stream beyond the per-key cap with 429 and beyond the total cap with 503, as problem+json with Retry-After', async () => {
    streams.push(await openStream(port, 'service'), await openStream(port, 'service'));
    const perKey = await h.app.inject({
      method: 'GET',
      url: '/v1/events/stream',
      headers: { authorization: `Bearer ${TEST_KEYS.service}` },
    });
    expect(perKey.statusCode).toBe(429);
    expect(perKey.headers['content-type']).toContain('application/problem+json');
    expect(perKey.headers['retry-after']).toBe('5');
    expect(perKey.json()).toMatchObject({
      status: 429,
      limit: 2,
      scope: 'api-key',
      detail: expect.stringContaining('SANKSI_SSE_MAX_CLIENTS_PER_KEY'),
    });

    streams.push(await openStream(port, 'analyst'));
    const total = await h.app.inject({
      method: 'GET',
      url: '/v1/events/stream',
      headers: { authorization: `Bearer ${TEST_KEYS.admin}` },
    });
    expect(total.statusCode).toBe(503);
    expect(total.headers['retry-after']).toBe('5');
    expect(total.json()).toMatchObject({ status: 503, limit: 3, scope: 'server' });

    // A closed stream frees its place.
    streams[0].close();
    await streams[0].ended;
    for (let i = 0; i < 100 && h.app.get(EventFanOut).clients > 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    const again = await openStream(port, 'admin');
    streams.push(again);
    expect(again.status).toBe(200);
  });

  it('ends open streams when the app closes, so shutdown does not wait for them', async () => {
    const s = await openStream(port, 'service');
    const started = Date.now();
    await h.app.close();
    await s.ended;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.text()).toContain('the server is shutting down');
    // (afterEach closes the runtime; closing the app twice is harmless)
  });
});

describe('GET /health/ready', () => {
  let h: ApiHarness;

  beforeEach(async () => {
    h = await startApiHarness({ SANKSI_READY_MAX_LAG: '2' });
  });

  afterEach(async () => {
    await h.close();
  });

  async function appWith(workers: WorkerStatusSource) {
    const keys = new ApiKeyRegistry(
      Object.entries(TEST_KEYS).map(([role, key]) => ({ role: role as Role, key })),
    );
    return createApiApp({ runtime: h.runtime, keys, workers });
  }

  /** The projector supervised as the worker supervises it, its status mapped as the worker maps it. */
  function supervisedProjector(): { loop: SupervisedLoop; source: WorkerStatusSource } {
    const loop = new SupervisedLoop({ name: 'projector', run: (signal) => h.runtime.projector.run(signal) });
    return {
      loop,
      source: {
        statuses: async () => {
          const s = await h.runtime.projector.status();
          const l = loop.status();
          return [
            {
              name: 'projector',
              position: s.position,
              eventsPerSecond: s.eventsPerSecond,
              healthy: l.state === 'running',
              state: l.state,
              restarts: l.restarts,
              lag: s.lag,
              lastError: l.lastError,
            },
          ];
        },
      },
    };
  }

  it('is 503 with status "stopped" once the projector loop stopped, and 200 while it runs', async () => {
    const { loop, source } = supervisedProjector();
    const app = await appWith(source);
    try {
      loop.start();
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks).toContainEqual(
        expect.objectContaining({ name: 'projector', status: 'ok' }),
      );
      await loop.stop();
      const stopped = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(stopped.statusCode).toBe(503);
      expect(stopped.json()).toMatchObject({
        status: 'not-ready',
        checks: expect.arrayContaining([{ name: 'projector', status: 'stopped', restarts: 0 }]),
      });
    } finally {
      await loop.stop();
      await app.close();
    }
  });

  it('is 503 "lagging" with the numbers when another projector holds the lease and does not follow', async () => {
    // A projector elsewhere took the lease and hung: this one stands by, running, while the log grows.
    await h.runtime.readModels.claimProjectorLease('read-models', 'hung-elsewhere', 60_000);
    const { loop, source } = supervisedProjector();
    const app = await appWith(source);
    try {
      loop.start();
      for (let i = 0; i < 4; i++) await identify(h, `lag-${i}`);
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      const projector = res.json().checks.find((c: { name: string }) => c.name === 'projector');
      expect(projector).toEqual({ name: 'projector', status: 'lagging', lag: 4, maxLag: 2, restarts: 0 });
    } finally {
      await loop.stop();
      await app.close();
    }
  });

  it('is 503 "catching-up" while the scheduler has not been through the deadlines due since the start, 200 once it has', async () => {
    // given a scheduler that has not ticked yet, its status mapped as the worker's scheduler loop maps it
    const scheduler = new DeadlineScheduler(h.runtime);
    const source: WorkerStatusSource = {
      statuses: async () => {
        const s = scheduler.status();
        return [
          {
            name: 'scheduler',
            position: s.position,
            eventsPerSecond: s.eventsPerSecond,
            healthy: s.healthy,
            state: 'running',
            restarts: 0,
            lag: null,
            caughtUp: s.caughtUp,
            lastError: s.lastError,
          },
        ];
      },
    };
    const app = await appWith(source);
    try {
      // then readiness says it is catching up (the process serves meanwhile: live answers)
      const early = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(early.statusCode).toBe(503);
      expect(early.json().checks).toContainEqual({ name: 'scheduler', status: 'catching-up', restarts: 0 });
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      // when its first tick has gone through everything due
      await scheduler.tick({ project: true });
      // then it is ready
      const ready = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks).toContainEqual({ name: 'scheduler', status: 'ok', restarts: 0 });
    } finally {
      await app.close();
    }
  });

  it('never shows the database error text, only a generic status per check', async () => {
    await h.runtime.readModels.close();
    const res = await h.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'not-ready',
      checks: [
        { name: 'event-store', status: 'ok' },
        { name: 'read-models', status: 'failing' },
      ],
    });
    expect(res.body).not.toMatch(/database|not open|sqlite/i);
  });
});
