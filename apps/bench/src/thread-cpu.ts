// Where a server's CPU goes, thread by thread (Linux /proc): the HTTP bench prints the request thread's share of
// each line beside the whole process's, since that one thread is what bounds the commands a server answers.
import { readdirSync } from 'node:fs';
import { statTicks } from './settled';

/** µs in one clock tick of /proc (USER_HZ is 100 on Linux). */
export const MICROS_PER_TICK = 10_000;

/** The request thread's (the process's main thread) and the busiest other thread's CPU, µs per request. */
export interface ThreadsPerRequest {
  request: number;
  busiestOther: number;
}

/** CPU time (user + system) of each thread of a process so far, µs by thread id; empty where /proc cannot be read. */
export function threadMicros(pid: number | undefined): Map<string, number> {
  const threads = new Map<string, number>();
  if (pid === undefined) return threads;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      // A thread that ended between the listing and the read is left out.
      const ticks = statTicks(`/proc/${pid}/task/${tid}/stat`);
      if (ticks !== undefined) threads.set(tid, ticks * MICROS_PER_TICK);
    }
  } catch {
    // No /proc: the line goes without the split.
  }
  return threads;
}

/** The request thread's and the busiest other thread's CPU per request between two `threadMicros` readings. */
export function threadsPerRequest(
  pid: number | undefined,
  before: Map<string, number>,
  after: Map<string, number>,
  requests: number,
): ThreadsPerRequest | undefined {
  if (pid === undefined || requests === 0 || !after.has(String(pid))) return undefined;
  const spent = (tid: string) => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
  let busiestOther = 0;
  for (const tid of after.keys()) if (tid !== String(pid)) busiestOther = Math.max(busiestOther, spent(tid));
  return { request: spent(String(pid)) / requests, busiestOther: busiestOther / requests };
}
