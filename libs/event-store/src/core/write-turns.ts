// Slot 0 holds the index of the writer whose turn it is; slot 1 + k is 1 once writer k has left.
const HOLDER = 0;
// How long one wait lasts before the holder is read again (a writer whose thread died is made to leave
// by its parent, which wakes the waiters; the timeout only bounds a missed wake-up).
const WAIT_SLICE_MS = 1_000;

/**
 * Turns between the writers of one process that append to one store from threads of their own (a
 * simulation on several threads): each writer's transactions go in a fixed rotation — writer 0's first,
 * then writer 1's first, …, then writer 0's second — so the log interleaves the writers the same way on
 * every run (the same positions for the same seed), and a writer waits for its turn on a shared word
 * instead of in the database's busy handler. A writer that has no more to write leaves the rotation.
 * Each writer holds its own `WriteTurns` over one `SharedArrayBuffer` made by `WriteTurns.shared`.
 */
export class WriteTurns {
  private readonly slots: Int32Array;
  private readonly writers: number;

  /** Writer `index` of the rotation kept in `buffer` (from `WriteTurns.shared`). */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly index: number,
  ) {
    this.slots = new Int32Array(buffer);
    this.writers = this.slots.length - 1;
    if (!Number.isInteger(index) || index < 0 || index >= this.writers)
      throw new RangeError(`writer ${index} is not one of the rotation's ${this.writers}`);
  }

  /** The shared memory of a rotation of `writers` writers, writer 0 first. */
  static shared(writers: number): SharedArrayBuffer {
    if (!Number.isInteger(writers) || writers < 1)
      throw new RangeError(`a rotation needs at least one writer, not ${writers}`);
    return new SharedArrayBuffer((writers + 1) * Int32Array.BYTES_PER_ELEMENT);
  }

  /**
   * Makes writer `index` of the rotation in `buffer` leave it from another thread — for a writer whose
   * thread ended without leaving (it failed), so that the others do not wait for it forever.
   */
  static leaveFor(buffer: SharedArrayBuffer, index: number): void {
    new WriteTurns(buffer, index).leave();
  }

  /**
   * Blocks this thread until it is this writer's turn (at once when it is). A writer that has left takes no
   * turn and does not wait: a write after leaving (a burst cut short by a failure, whose last appends still
   * finish) goes as it would without a rotation, under the database's own lock.
   */
  take(): void {
    for (;;) {
      const holder = Atomics.load(this.slots, HOLDER);
      if (holder === this.index || Atomics.load(this.slots, 1 + this.index) === 1) return;
      Atomics.wait(this.slots, HOLDER, holder, WAIT_SLICE_MS);
    }
  }

  /** Ends this writer's turn: the next writer still in the rotation has it (this one, when it is alone). */
  pass(): void {
    this.handOn(this.index);
  }

  /** This writer writes no more: it leaves the rotation, passing the turn on if it held it. Idempotent. */
  leave(): void {
    Atomics.store(this.slots, 1 + this.index, 1);
    this.handOn(this.index);
  }

  /**
   * Moves the turn from `from` to the next writer after it that has not left, if `from` still holds it.
   * The compare-and-exchange makes a writer's pass and its leaving (or a parent's `leaveFor`) move the turn
   * once between them; landing on a writer that left meanwhile moves it on again.
   */
  private handOn(from: number): void {
    let holder = from;
    for (let hops = 0; hops <= this.writers; hops += 1) {
      if (Atomics.load(this.slots, 1 + holder) === 0 && holder !== from) return;
      const next = this.nextAfter(holder);
      if (next === holder) return;
      if (Atomics.compareExchange(this.slots, HOLDER, holder, next) !== holder) return;
      Atomics.notify(this.slots, HOLDER);
      holder = next;
    }
  }

  /** The first writer after `index`, in rotation, that has not left; `index` itself when none has not. */
  private nextAfter(index: number): number {
    for (let step = 1; step <= this.writers; step += 1) {
      const candidate = (index + step) % this.writers;
      if (Atomics.load(this.slots, 1 + candidate) === 0) return candidate;
    }
    return index;
  }
}
