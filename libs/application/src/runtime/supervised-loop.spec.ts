import { SupervisedLoop } from './supervised-loop';

const waitFor = async (condition: () => boolean, timeoutMs = 2000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};

class Boom extends Error {
  readonly code = 'BOOM';
}

describe('SupervisedLoop', () => {
  it('restarts a run that threw, with exponential backoff capped at maxMs', async () => {
    const startedAt: number[] = [];
    const loop = new SupervisedLoop({
      name: 'flaky',
      backoff: { initialMs: 20, maxMs: 80 },
      run: async () => {
        startedAt.push(Date.now());
        throw new Boom('store unavailable');
      },
    });
    loop.start();
    await waitFor(() => startedAt.length >= 6, 3000);
    await loop.stop();
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]);
    // 20, 40, 80, 80, 80 ms (timers may fire late, never early)
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    expect(gaps[3]).toBeGreaterThanOrEqual(79);
    expect(gaps[3]).toBeLessThan(160);
    expect(gaps[4]).toBeLessThan(160);
  });

  it('reports running, then restarting with the error and the count, then stopped', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const loop = new SupervisedLoop({
      name: 'projector',
      backoff: { initialMs: 30, maxMs: 30 },
      run: (signal) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Boom('checkpoint moved'));
        return new Promise<void>((resolve) => {
          release = resolve;
          signal.addEventListener('abort', () => resolve());
        });
      },
    });
    expect(loop.status().state).toBe('idle');
    loop.start();
    await waitFor(() => loop.status().state === 'restarting');
    const restarting = loop.status();
    expect(restarting).toMatchObject({
      name: 'projector',
      state: 'restarting',
      restarts: 0,
      consecutiveFailures: 1,
      lastError: { code: 'BOOM', message: 'checkpoint moved' },
    });
    expect(restarting.nextRunAt).not.toBeNull();
    await waitFor(() => calls === 2);
    expect(loop.status()).toMatchObject({ state: 'running', restarts: 1, nextRunAt: null });
    release();
    await loop.stop();
    expect(loop.status().state).toBe('stopped');
  });

  it('stop() during a long backoff returns promptly', async () => {
    const loop = new SupervisedLoop({
      name: 'relay',
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      run: () => Promise.reject(new Error('broker down')),
    });
    loop.start();
    await waitFor(() => loop.status().state === 'restarting');
    const before = Date.now();
    await loop.stop();
    expect(Date.now() - before).toBeLessThan(200);
    expect(loop.status().state).toBe('stopped');
  });

  it('stop() waits for the run in hand to finish', async () => {
    let finished = false;
    const loop = new SupervisedLoop({
      name: 'scheduler',
      run: async (signal) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        // The tick in hand still commits after the abort.
        await new Promise((r) => setTimeout(r, 50));
        finished = true;
      },
    });
    loop.start();
    await new Promise((r) => setTimeout(r, 10));
    await loop.stop();
    expect(finished).toBe(true);
  });

  it('runs a ticking loop again after intervalMs and resets the failure count after a success', async () => {
    let calls = 0;
    const loop = new SupervisedLoop({
      name: 'ticker',
      intervalMs: 10,
      backoff: { initialMs: 10, maxMs: 10 },
      run: async () => {
        calls += 1;
        if (calls === 2) throw new Error('one bad tick');
      },
    });
    loop.start();
    await waitFor(() => calls >= 5);
    await loop.stop();
    expect(loop.status()).toMatchObject({
      state: 'stopped',
      restarts: 1,
      consecutiveFailures: 0,
      lastError: { code: 'Error', message: 'one bad tick' },
    });
  });
});
