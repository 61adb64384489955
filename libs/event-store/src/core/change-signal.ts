/**
 * Wakes subscribers when new events may be readable. A version counter closes the race between a
 * reader finding nothing and starting to wait: it waits only if nothing changed since it read.
 */
export class ChangeSignal {
  private version = 0;
  private waiters = new Set<() => void>();

  /** The current change counter; pass it to `waitSince` after reading. */
  current(): number {
    return this.version;
  }

  /** Signals that events were committed. */
  notify(): void {
    this.version++;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next change after `version`, after `timeoutMs` (the polling fallback), or on abort. */
  waitSince(version: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.version !== version || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
