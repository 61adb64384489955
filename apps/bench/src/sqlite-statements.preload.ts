import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';

/**
 * Preloaded (`node -r apps/bench/dist/sqlite-statements.preload.js …`; worker threads inherit it): times every
 * better-sqlite3 statement call and `exec`, per thread and per SQL text, and writes the totals every 15 s and
 * at exit to `<SANKSI_SQL_PROFILE_DIR or /tmp>/sqlite-statements.<pid>.<thread>.txt` — seconds, calls, µs a
 * call, the longest call, file and statement, costliest first. It showed which thread of `simulate` put a rebuild's indexes
 * back (docs/benchmarks.md, "A rebuild's indexes stay aside while it runs"). Its own cost is in the figures.
 */
interface Totals {
  calls: number;
  ns: bigint;
  /** The longest call. */
  maxNs: bigint;
}

/**
 * Wraps `Database.prototype.prepare` (every statement's `run`, `get`, `all`, `iterate`) and `exec` of the given
 * better-sqlite3 class to add each call's time to its statement's totals; returns the report of them so far.
 */
export function timeStatements(Db: typeof Database): () => string {
  const totals = new Map<string, Totals>();
  const timed = <A extends unknown[], R>(key: string, call: (...args: A) => R) =>
    function (this: unknown, ...args: A): R {
      const started = process.hrtime.bigint();
      try {
        return call.apply(this, args);
      } finally {
        const t = totals.get(key) ?? { calls: 0, ns: 0n, maxNs: 0n };
        const took = process.hrtime.bigint() - started;
        t.calls += 1;
        t.ns += took;
        if (took > t.maxNs) t.maxNs = took;
        totals.set(key, t);
      }
    };
  const keyOf = (db: Database.Database, sql: string) =>
    `${path.basename(db.name)}: ${sql.replace(/\s+/g, ' ').trim().slice(0, 200)}`;
  const prepare = Db.prototype.prepare;
  Db.prototype.prepare = function (this: Database.Database, sql: string) {
    const statement = prepare.call(this, sql) as unknown as Record<string, (...args: unknown[]) => unknown>;
    const key = keyOf(this, sql);
    for (const method of ['run', 'get', 'all', 'iterate']) statement[method] = timed(key, statement[method]);
    return statement as never;
  } as typeof prepare;
  const exec = Db.prototype.exec;
  Db.prototype.exec = function (this: Database.Database, sql: string) {
    return timed(keyOf(this, `EXEC ${sql}`), exec).call(this, sql);
  } as typeof exec;
  return () =>
    [...totals]
      .sort((a, b) => (b[1].ns > a[1].ns ? 1 : b[1].ns < a[1].ns ? -1 : 0))
      .map(([key, t]) => {
        const ns = Number(t.ns);
        const max = Number(t.maxNs) / 1e6;
        return `${(ns / 1e9).toFixed(2)} s\t${t.calls}\t${(ns / 1e3 / t.calls).toFixed(1)} µs\tmax ${max.toFixed(1)} ms\t${key}\n`;
      })
      .join('');
}

// Preloaded (not when a test imports it): report to a file per process and thread.
if (require.main !== module && !process.env.JEST_WORKER_ID) {
  const report = timeStatements(Database);
  const file = path.join(
    process.env.SANKSI_SQL_PROFILE_DIR ?? '/tmp',
    `sqlite-statements.${process.pid}.${threadId}.txt`,
  );
  const write = () => writeFileSync(file, report());
  process.on('exit', write);
  setInterval(write, 15_000).unref();
}
