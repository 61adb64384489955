/**
 * Wakes subscribers when new events may be readable. A version counter closes the race between a
 * reader finding nothing and starting to wait: it waits only if nothing changed since it read. A
 * change may name the categories it touched; a reader of one category then sleeps through changes
 * to others (in process, the traffic projector is not woken by every case command).
 */
export class ChangeSignal {
  private version = 0;
  /** The version of the last change whose categories were not named (it may touch any of them). */
  private anyCategory = 0;
  /** Per category, the version of the last change that named it. */
  private readonly byCategory = new Map<string, number>();
  private waiters = new Set<{ category: string | undefined; wake: () => void }>();
  private readonly listeners = new Set<(categories: readonly string[] | undefined) => void>();

  /** The current change counter; pass it to `waitSince` after reading. */
  current(): number {
    return this.version;
  }

  /** Signals that events were committed, in these categories when known (else in any). */
  notify(categories?: Iterable<string>): void {
    this.version++;
    let named: Set<string> | null = null;
    if (categories === undefined) this.anyCategory = this.version;
    else {
      named = new Set(categories);
      for (const category of named) this.byCategory.set(category, this.version);
    }
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const waiter of waiters) {
      if (named === null || waiter.category === undefined || named.has(waiter.category)) waiter.wake();
      else this.waiters.add(waiter);
    }
    if (this.listeners.size > 0) {
      const told = named === null ? undefined : [...named];
      for (const listener of this.listeners) listener(told);
    }
  }

  /**
   * Calls `listener` with the categories of every later change (undefined: any category), for a reader
   * this signal cannot reach (another thread of the process); returns what stops the calls.
   */
  listen(listener: (categories: readonly string[] | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves on the next change after `version` (only one that may touch `category`, when given), after
   * `timeoutMs` (the polling fallback), or on abort.
   */
  waitSince(version: number, timeoutMs: number, signal: AbortSignal, category?: string): Promise<void> {
    if (this.changedSince(version, category) || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        category,
        wake: (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', waiter.wake);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, timeoutMs);
      signal.addEventListener('abort', waiter.wake, { once: true });
      this.waiters.add(waiter);
    });
  }

  private changedSince(version: number, category: string | undefined): boolean {
    if (category === undefined) return this.version !== version;
    return Math.max(this.anyCategory, this.byCategory.get(category) ?? 0) > version;
  }
}
