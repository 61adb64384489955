import { streamsOfWriter, type CaseStream } from './case-histories';
import type { SideFigure } from './result-table';

/** One contender of a line: appends case histories with expected versions, reads streams back. */
export interface BenchSide {
  /** Appends each stream's events one call at a time with the expected version, `writers` streams at once. */
  append(streams: readonly CaseStream[], writers: number): Promise<SideFigure>;
  /** Reads each stream back whole, one after another; counts the events read. */
  readBack(streams: readonly CaseStream[]): Promise<SideFigure>;
  close(): Promise<void>;
}

/** Times `work`, which reports the events it completed and the calls that failed. */
export async function timed(
  work: () => Promise<{ events: number; errors: number; firstError?: string }>,
): Promise<SideFigure> {
  const start = process.hrtime.bigint();
  const outcome = await work();
  return { ...outcome, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Counts completed events and failed calls across writers; a failed append ends that stream's history. */
export class Tally {
  events = 0;
  errors = 0;
  firstError?: string;

  /** Records a failure (the first one's message is kept). */
  fail(error: unknown): void {
    this.errors++;
    this.firstError ??=
      error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  }

  /** The tally as a figure's counts. */
  result(): { events: number; errors: number; firstError?: string } {
    return { events: this.events, errors: this.errors, firstError: this.firstError };
  }
}

/** Runs `perStream` over `streams` with `writers` concurrent loops, each taking its own round-robin share. */
export async function perWriter<T>(
  streams: readonly T[],
  writers: number,
  perStream: (stream: T) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (const stream of streamsOfWriter(streams, writers, w)) await perStream(stream);
    }),
  );
}
