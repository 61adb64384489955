/**
 * One read shared by the requests that need it at once, never older than any of them: every ISP poller of
 * the blocklist asks for the feed's newest position first (then a 304, or the kept bytes), a thousand
 * times a second, and on PostgreSQL each ask was a round trip through the read pool. A request that finds
 * a read in flight cannot use it — the read began before the request arrived and may miss a change
 * committed since — so it waits for the next read, which starts once that one ends and serves every
 * request that arrived meanwhile. At most one read is in flight, and each answer was read after its
 * request arrived.
 */
export class FreshProbe<T> {
  private running: Promise<T> | null = null;
  private next: Promise<T> | null = null;

  constructor(private readonly read: () => Promise<T>) {}

  /** A value read after this call began. */
  get(): Promise<T> {
    if (this.running === null) return this.start();
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<T> {
    const read = this.read().finally(() => {
      if (this.running === read) this.running = null;
    });
    this.running = read;
    return read;
  }
}
