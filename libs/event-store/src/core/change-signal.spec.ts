import { ChangeSignal } from './change-signal';

describe('ChangeSignal', () => {
  it('given a change after the reader looked, then waiting returns at once', async () => {
    const signal = new ChangeSignal();
    const seen = signal.current();
    signal.notify();
    await expect(signal.waitSince(seen, 60_000, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('given a waiting reader, when notified, then it wakes before its poll interval', async () => {
    const signal = new ChangeSignal();
    const waiting = signal.waitSince(signal.current(), 60_000, new AbortController().signal);
    signal.notify();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('given a waiting reader, when aborted, then it wakes', async () => {
    const signal = new ChangeSignal();
    const abort = new AbortController();
    const waiting = signal.waitSince(signal.current(), 60_000, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('given a reader of one category, when another category changes, then it sleeps on; when its own or an unnamed change comes, then it wakes', async () => {
    const signal = new ChangeSignal();
    const abort = new AbortController();
    let woken = 0;
    const seen = signal.current();
    const waiting = signal.waitSince(seen, 60_000, abort.signal, 'traffic').then(() => woken++);
    signal.notify(['pse']);
    await new Promise((r) => setImmediate(r));
    expect(woken).toBe(0);
    signal.notify(['pse', 'traffic']);
    await waiting;
    expect(woken).toBe(1);
    // Looked before an unnamed change (another process's write): it may touch any category.
    const before = signal.current();
    signal.notify();
    await expect(signal.waitSince(before, 60_000, abort.signal, 'traffic')).resolves.toBeUndefined();
  });

  it('given a change to its category after the reader looked, then waiting returns at once; to another, it waits', async () => {
    const signal = new ChangeSignal();
    const abort = new AbortController();
    const seen = signal.current();
    signal.notify(['traffic']);
    await expect(signal.waitSince(seen, 60_000, abort.signal, 'traffic')).resolves.toBeUndefined();
    const later = signal.current();
    signal.notify(['pse']);
    let woken = false;
    const waiting = signal.waitSince(later, 60_000, abort.signal, 'traffic').then(() => (woken = true));
    await new Promise((r) => setImmediate(r));
    expect(woken).toBe(false);
    // Any reader of every category wakes on every change.
    await expect(signal.waitSince(later, 60_000, abort.signal)).resolves.toBeUndefined();
    abort.abort();
    await waiting;
  });

  it('given a listener (a reader in another thread), then it hears every change with its categories until it stops listening', () => {
    const signal = new ChangeSignal();
    const heard: Array<readonly string[] | undefined> = [];
    const stop = signal.listen((categories) => heard.push(categories));
    signal.notify(['pse', 'traffic']);
    signal.notify();
    stop();
    signal.notify(['pse']);
    expect(heard).toEqual([['pse', 'traffic'], undefined]);
  });
});
