import { GroupCommitQueue } from './group-commit.queue';

describe('GroupCommitQueue', () => {
  it('given requests submitted in one turn, then they share one flush and each gets its own outcome', async () => {
    const batches: number[][] = [];
    const queue = new GroupCommitQueue<number, number>(async (batch) => {
      batches.push(batch);
      return batch.map((n) =>
        n === 3 ? { ok: false as const, error: new Error('three') } : { ok: true as const, value: n * 10 },
      );
    });

    const outcomes = await Promise.allSettled([1, 2, 3, 4].map((n) => queue.submit(n)));

    expect(batches).toEqual([[1, 2, 3, 4]]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([
      10,
      20,
      'three',
      40,
    ]);
  });

  it('given a microtask window, when writers resubmit as soon as their last append resolves, then they still share batches', async () => {
    const batches: number[] = [];
    const queue = new GroupCommitQueue<number, number>(
      async (batch) => {
        batches.push(batch.length);
        return batch.map((n) => ({ ok: true as const, value: n }));
      },
      1000,
      'microtask',
    );
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 3; i++) await queue.submit(w * 10 + i);
      }),
    );
    expect(batches).toEqual([4, 4, 4]);
  });

  it('given requests arriving while a flush runs, then they form the next batch and flushes never overlap', async () => {
    const batches: number[][] = [];
    let running = 0;
    let release: () => void = () => undefined;
    const queue = new GroupCommitQueue<number, number>(async (batch) => {
      running++;
      expect(running).toBe(1);
      batches.push(batch);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      running--;
      return batch.map((n) => ({ ok: true as const, value: n }));
    });
    const first = queue.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [queue.submit(2), queue.submit(3)];
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('given a flush that throws, then every request of that batch fails and the queue keeps working', async () => {
    let fail = true;
    const queue = new GroupCommitQueue<number, number>(async (batch) => {
      if (fail) {
        fail = false;
        throw new Error('disk on fire');
      }
      return batch.map((n) => ({ ok: true as const, value: n }));
    });
    await expect(Promise.all([queue.submit(1), queue.submit(2)])).rejects.toThrow('disk on fire');
    await expect(queue.submit(3)).resolves.toBe(3);
    await queue.whenIdle();
  });

  it('given queued requests, when rejected for closing, then they fail and the queue becomes idle', async () => {
    const queue = new GroupCommitQueue<number, number>(async (batch) =>
      batch.map((n) => ({ ok: true as const, value: n })),
    );
    const pending = queue.submit(1);
    queue.rejectQueued(new Error('closed'));
    await expect(pending).rejects.toThrow('closed');
    await queue.whenIdle();
  });

  it('given an adaptive window, when requests come from independent callbacks (as HTTP requests do), then they come to share flushes; a lone writer still flushes alone', async () => {
    const batches: number[] = [];
    const queue = new GroupCommitQueue<number, number>(
      async (batch) => {
        batches.push(batch.length);
        return batch.map((n) => ({ ok: true as const, value: n }));
      },
      1000,
      'adaptive',
    );
    // 100 waves of 7 requests, each request submitted from its own macrotask (like one socket's data).
    const submitted: Array<Promise<number>> = [];
    for (let wave = 0; wave < 100; wave++) {
      await new Promise<void>((resolve) => {
        let left = 7;
        for (let i = 0; i < 7; i++) {
          setImmediate(() => {
            submitted.push(queue.submit(wave * 7 + i));
            if (--left === 0) resolve();
          });
        }
      });
    }
    expect((await Promise.all(submitted)).length).toBe(700);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(700);
    // A microtask window gives 700 flushes of one; once a turn found company, the waves share flushes.
    expect(batches.length).toBeLessThan(250);
    expect(Math.max(...batches)).toBeGreaterThan(1);

    const lone: number[] = [];
    const alone = new GroupCommitQueue<number, number>(
      async (batch) => {
        lone.push(batch.length);
        return batch.map((n) => ({ ok: true as const, value: n }));
      },
      1000,
      'adaptive',
    );
    for (let i = 0; i < 100; i++) await alone.submit(i);
    expect(lone).toEqual(Array.from({ length: 100 }, () => 1));
  });

  it('given writers whose next request follows uneven work, when the window is set to immediate, then each round is one flush, and back to adaptive the next wait is a microtask again', async () => {
    const batches: number[] = [];
    const queue = new GroupCommitQueue<number, number>(
      async (batch) => {
        batches.push(batch.length);
        return batch.map((n) => ({ ok: true as const, value: n }));
      },
      1000,
      'adaptive',
    );
    // Writer w does w awaits of work between its appends, as simulated systems do different work per step.
    const writers = (rounds: number) =>
      Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          for (let i = 0; i < rounds; i++) {
            for (let hop = 0; hop < w; hop++) await Promise.resolve();
            await queue.submit(w * 100 + i);
          }
        }),
      );
    queue.setWindow('immediate');
    expect(queue.commitWindow).toBe('immediate');
    await writers(3);
    expect(batches).toEqual([16, 16, 16]);

    batches.length = 0;
    queue.setWindow('adaptive');
    expect(queue.commitWindow).toBe('adaptive');
    await writers(1);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(16);
  });
});
