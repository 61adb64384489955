/**
 * How much of the file a reader maps into memory (SQLite's compiled-in limit, just under 2 GiB). A page it
 * reads there is the operating system's cached page itself, where otherwise it costs a read call and a copy
 * into the connection's own cache — which the projector's every commit (WAL) empties. A page of a search's walk
 * in name order costs 1 µs instead of 3.5 at a million systems (docs/benchmarks.md, "Searches of common
 * texts"). The mapped pages are the page cache's, shared and given back under pressure, but count in the
 * process's resident size. Pages past the limit, and those still in the WAL, are read as before.
 */
export const READER_MMAP_BYTES = 0x7fff0000;

/**
 * The statement as SQLite is given it: each bare `LIMIT ?` written `LIMIT ?+0`. Since SQLite 3.47 the planner
 * reads the value bound to a bare `LIMIT ?`, so the statement is parsed and planned again on every call that
 * binds it — every call: 16 µs more for a poll of an up-to-date blocklist feed that otherwise takes 1.7 µs.
 * `?+0` is no plain parameter and is left alone; the plans are the ones the bound values gave (each
 * statement the read-model tests run, compared with EXPLAIN QUERY PLAN on a simulated population of
 * 100,000: docs/benchmarks.md, "A bound LIMIT re-plans its statement"), and -1 still means no limit.
 */
export function plannedOnce(sql: string): string {
  return sql.replace(/\bLIMIT \?(?!\+0)/g, 'LIMIT ?+0');
}
