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
});
