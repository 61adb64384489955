import { readFileSync } from 'node:fs';
import type { Client } from 'pg';

/** CPU time in nanoseconds: this process, and the database server processes serving it when readable. */
export interface CpuReading {
  client: number;
  /** Per server process id; null when the server's processes cannot be read (remote server, no /proc). */
  server: Map<number, number> | null;
}

/** CPU spent between two readings: client, server (null when unknown), in nanoseconds. */
export interface CpuSpent {
  client: number;
  server: number | null;
}

/** Takes one reading. */
export type CpuProbe = () => Promise<CpuReading>;

/** This process's CPU (user + system) in nanoseconds. */
export function processCpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/**
 * Time a process has run on a CPU, in nanoseconds (`/proc/<pid>/schedstat`, first field); undefined when
 * it is gone or not readable. utime + stime in `/proc/<pid>/stat` counts the same in 10 ms ticks, too
 * coarse for a slice of a few hundred appends.
 */
export function schedulerCpuNs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

function isPostgresProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return false;
  }
}

/** The server's CPU can be read here only when it runs on this machine: a loopback connection string. */
export function isLoopback(connectionString: string): boolean {
  const host = new URL(connectionString).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}

/**
 * A probe of this process plus the PostgreSQL backends that `pids` lists at each reading (a pool opens
 * and closes connections, so the list is asked for every time). Server CPU is null unless the server
 * runs on this machine and its backends are readable as `postgres` processes.
 */
export function postgresCpuProbe(connectionString: string, pids: () => Promise<number[]>): CpuProbe {
  let readable = isLoopback(connectionString);
  return async () => {
    const client = processCpuNs();
    if (!readable) return { client, server: null };
    const server = new Map<number, number>();
    for (const pid of await pids()) {
      const ns = isPostgresProcess(pid) ? schedulerCpuNs(pid) : undefined;
      if (ns === undefined) {
        readable = false;
        return { client, server: null };
      }
      server.set(pid, ns);
    }
    return { client, server };
  };
}

/** A probe of this process only (an embedded store: all of its work is in this process). */
export const processCpuProbe: CpuProbe = async () => ({ client: processCpuNs(), server: null });

/** The backends of one database whose `application_name` starts with `prefix`, as the monitor sees them. */
export async function backendsOf(monitor: Client, prefix: string): Promise<number[]> {
  const rows = await monitor.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1`,
    [`${prefix}%`],
  );
  return rows.rows.map((r) => r.pid);
}

/**
 * CPU between two readings. A backend that appeared in between counts from its start; one that ended
 * in between is lost, so its work is not counted (pools here keep their connections for the run).
 */
export function spent(before: CpuReading, after: CpuReading): CpuSpent {
  const client = after.client - before.client;
  if (before.server === null || after.server === null) return { client, server: null };
  let server = 0;
  for (const [pid, ns] of after.server) server += ns - (before.server.get(pid) ?? 0);
  return { client, server };
}

/** Adds `b` to `a` (server stays null once either is unknown). */
export function addSpent(a: CpuSpent, b: CpuSpent): CpuSpent {
  return {
    client: a.client + b.client,
    server: a.server === null || b.server === null ? null : a.server + b.server,
  };
}
