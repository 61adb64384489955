import { randomUUID } from 'node:crypto';

/** Where the application gets "now": real time in production, a controllable clock in tests. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: drives weeks of a scenario in milliseconds. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }
  /** The clock's current time. */
  now(): Date {
    return new Date(this.current);
  }
  /** Moves the clock to `to` (never backwards). */
  set(to: Date | string): void {
    const t = new Date(to).getTime();
    if (t < this.current)
      throw new RangeError(
        `ManualClock cannot go back from ${this.now().toISOString()} to ${new Date(t).toISOString()}`,
      );
    this.current = t;
  }
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }
}

/** Where command and correlation ids come from (random in production, sequential in tests). */
export interface IdGenerator {
  next(): string;
}

/** Random UUIDs. */
export const randomIds: IdGenerator = { next: () => randomUUID() };
