import { FreshProbe } from './fresh-probe';

/** A read whose answers the test releases one by one, counting the reads begun. */
function controlledRead() {
  const waiting: Array<{ resolve(v: number): void; reject(e: Error): void }> = [];
  let ended = 0;
  const oldest = () => {
    const w = waiting.shift();
    if (!w) throw new Error('no read in flight');
    ended += 1;
    return w;
  };
  return {
    read: () => new Promise<number>((resolve, reject) => waiting.push({ resolve, reject })),
    begun: () => ended + waiting.length,
    /** Ends the oldest read in flight with this value. */
    answer: (v: number) => oldest().resolve(v),
    /** Fails the oldest read in flight. */
    fail: () => oldest().reject(new Error('connection lost')),
    inFlight: () => waiting.length,
  };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('FreshProbe: one read for the requests that need it at once, never older than them', () => {
  it('given no read in flight, when asked, then it reads', async () => {
    const source = controlledRead();
    const probe = new FreshProbe(source.read);
    const answer = probe.get();
    expect(source.inFlight()).toBe(1);
    source.answer(7);
    await expect(answer).resolves.toBe(7);
  });

  it('given a read in flight, when more requests arrive, then they share the one read begun after it ends, not that read', async () => {
    const source = controlledRead();
    const probe = new FreshProbe(source.read);
    const first = probe.get();
    // arrive while the first read is in flight: the change that read may miss could be theirs
    const second = probe.get();
    const third = probe.get();
    expect(source.inFlight()).toBe(1);
    source.answer(1);
    await expect(first).resolves.toBe(1);
    await flush();
    expect(source.inFlight()).toBe(1);
    source.answer(2);
    await expect(second).resolves.toBe(2);
    await expect(third).resolves.toBe(2);
    expect(source.begun()).toBe(2);
  });

  it('given a read that fails, then its requests get the error, the next ones wait for a new read, and a later ask reads again', async () => {
    const source = controlledRead();
    const probe = new FreshProbe(source.read);
    const first = probe.get();
    const second = probe.get();
    source.fail();
    await expect(first).rejects.toThrow('connection lost');
    await flush();
    source.answer(5);
    await expect(second).resolves.toBe(5);
    await flush();
    const third = probe.get();
    expect(source.inFlight()).toBe(1);
    source.answer(6);
    await expect(third).resolves.toBe(6);
  });

  it('given a steady stream of requests, then at most one read is ever in flight', async () => {
    const source = controlledRead();
    const probe = new FreshProbe(source.read);
    const answers: Array<Promise<number>> = [];
    for (let round = 1; round <= 5; round++) {
      for (let i = 0; i < 10; i++) answers.push(probe.get());
      expect(source.inFlight()).toBe(1);
      source.answer(round);
      await flush();
    }
    source.answer(6);
    const values = await Promise.all(answers);
    // each request's answer comes from a read begun after it arrived: the first from read 1, then the next read
    expect(values.slice(0, 1)).toEqual([1]);
    expect(values.slice(1, 10)).toEqual(Array(9).fill(2));
    expect(source.begun()).toBe(6);
  });
});
