import { readFileSync } from 'node:fs';

/** A process's CPU time so far (user + system, all its threads) in clock ticks; undefined without /proc. */
export function cpuTicks(pid: number): number | undefined {
  return statTicks(`/proc/${pid}/stat`);
}

/** User + system clock ticks in a /proc `stat` file (a process's or one of its threads'); undefined if unreadable. */
export function statTicks(file: string): number | undefined {
  try {
    const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ');
    return fields === undefined ? undefined : Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Windows of a quarter of a second; a settled server uses fewer than 5 clock ticks in one (USER_HZ is 100: 50 ms). */
const SETTLE_WINDOW_MS = 250;
const SETTLED_TICKS = 5;

/**
 * Waits until the server process uses less than a fifth of a core over a quarter of a second (at most
 * `limitMs`), and returns how long that took. The request loop answering is not enough: a line's requests on
 * the server's reader threads (a search, a series as known long ago) go on after their clients gave up, and
 * took a core from the next line (the pollers after the whole queries bench read p99 78 ms, alone 21 ms).
 */
export async function settled(pid: number | undefined, limitMs = 60_000): Promise<number> {
  const started = Date.now();
  if (pid === undefined) return 0;
  let before = cpuTicks(pid);
  while (before !== undefined && Date.now() - started < limitMs) {
    await new Promise((r) => setTimeout(r, SETTLE_WINDOW_MS));
    const now = cpuTicks(pid);
    if (now === undefined || now - before < SETTLED_TICKS) break;
    before = now;
  }
  return Date.now() - started;
}
