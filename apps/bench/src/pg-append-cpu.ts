// `node apps/bench/dist/pg-append-cpu.js [--calls N] [--rounds R]`: PostgreSQL server CPU per single-event
// append, read from the backend's /proc/<pid>/schedstat (the server must run on this machine), for the raw
// INSERT, the store's `append_event` and candidate replacements, on one connection with
// synchronous_commit=off (the WAL flush, equal for all, is taken out). Each round runs every variant once
// in a fresh random order; the report is the median over rounds of raw CPU / variant CPU (docs/benchmarks.md,
// "Store lines at their raw limits"). Candidates are measured here, not shipped: only `append_event` is
// what the store calls.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { postgresMigrations } from '@sanksi/event-store';
import { createTemporaryPostgresDatabase } from '@sanksi/testing';
import { DATA, METADATA } from './event-store/bench-workload';
import { isLoopback, schedulerCpuNs } from './event-store/cpu-meter';

const ARGS = [
  '$1::int8',
  '$2',
  '$3',
  '$4',
  '$5::int8',
  '$6',
  '$7',
  '$8',
  '$9::int4',
  '$10::json',
  '$11::json',
].join(', ');

const SIGNATURE = (s: string, name: string): string => `
  CREATE FUNCTION ${s}.${name}(
    p_lock_key bigint, p_channel text, p_stream text, p_category text, p_expected bigint,
    p_command text, p_id text, p_type text, p_version int, p_data json, p_metadata json,
    OUT status text, OUT revision bigint, OUT pos bigint)
  LANGUAGE plpgsql VOLATILE AS $fn$`;

// Check and insert in one statement: the expected-revision test is the INSERT's WHERE.
const CHECKED_INSERT = (s: string): string => `
    IF p_command IS NOT NULL THEN
      SELECT c.next_expected_revision, c.position INTO revision, pos
        FROM ${s}.commands c WHERE c.stream_id = p_stream AND c.command_id = p_command;
      IF FOUND THEN status := 'duplicate'; RETURN; END IF;
    END IF;
    INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
    SELECT p_stream, h.cur + 1, p_id, p_type, p_category, p_version, p_data, p_metadata
      FROM (SELECT coalesce(max(e.revision), -1) AS cur FROM ${s}.events e WHERE e.stream_id = p_stream) h
     WHERE p_expected = -3 OR (p_expected = -1 AND h.cur = -1) OR (p_expected = -2 AND h.cur >= 0)
        OR p_expected = h.cur
    RETURNING events.position, events.revision INTO pos, revision;
    IF NOT FOUND THEN
      status := 'refused'; pos := NULL;
      SELECT coalesce(max(e.revision), -1) INTO revision FROM ${s}.events e WHERE e.stream_id = p_stream;
      RETURN;
    END IF;
    IF p_command IS NOT NULL THEN
      INSERT INTO ${s}.commands (stream_id, command_id, next_expected_revision, position)
      VALUES (p_stream, p_command, revision, pos);
    END IF;
    status := 'written';`;

/** Candidate functions (created next to the store's own); `$s` is the schema. */
const FUNCTIONS: Record<string, (s: string) => string> = {
  one_statement: (s) =>
    `${SIGNATURE(s, 'one_statement')} BEGIN PERFORM pg_advisory_xact_lock(p_lock_key); ${CHECKED_INSERT(s)}
     PERFORM pg_notify(p_channel, ''); END $fn$;`,
  // Lock and notification as plpgsql simple expressions instead of PERFORM (no executor start for them).
  simple_expressions: (s) =>
    `${SIGNATURE(s, 'simple_expressions')} DECLARE done text; BEGIN done := pg_advisory_xact_lock(p_lock_key);
     ${CHECKED_INSERT(s)} done := pg_notify(p_channel, ''); END $fn$;`,
  // Not a candidate: a function that only inserts, the floor of any plpgsql function.
  insert_only: (s) =>
    `${SIGNATURE(s, 'insert_only')} BEGIN
       INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
       VALUES (p_stream, p_expected + 1, p_id, p_type, p_category, p_version, p_data, p_metadata)
       RETURNING events.position INTO pos;
       revision := p_expected + 1; status := 'written'; END $fn$;`,
};

/**
 * No function: one statement from the client, the lock an InitPlan gating the INSERT's projection (so
 * positions are drawn after it). Its snapshot is taken before the lock, so a concurrent append to the
 * same stream would surface as a unique violation or a false refusal that a caller would have to retry
 * through `append_event`: measured to see whether that complexity would buy anything.
 */
const STATEMENT = (s: string): string => `
  WITH dup AS (SELECT c.next_expected_revision AS revision, c.position AS pos FROM ${s}.commands c
                WHERE c.stream_id = $3 AND c.command_id = $6::text),
  head AS (SELECT coalesce(max(e.revision), -1) AS cur FROM ${s}.events e WHERE e.stream_id = $3),
  ins AS (
    INSERT INTO ${s}.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
    SELECT $3, h.cur + 1, $7, $8, $4, $9::int4, $10::json, $11::json FROM head h
     WHERE NOT EXISTS (SELECT 1 FROM dup)
       AND ($5::int8 = -3 OR ($5::int8 = -1 AND h.cur = -1) OR ($5::int8 = -2 AND h.cur >= 0) OR $5::int8 = h.cur)
       AND (SELECT pg_advisory_xact_lock($1::int8)) IS NOT NULL
    RETURNING position, revision),
  cmd AS (INSERT INTO ${s}.commands (stream_id, command_id, next_expected_revision, position)
          SELECT $3, $6::text, i.revision, i.position FROM ins i WHERE $6::text IS NOT NULL)
  SELECT 'written' AS status, i.revision, i.position AS pos, pg_notify($2, '')::text AS notified FROM ins i
  UNION ALL SELECT 'duplicate', d.revision, d.pos, NULL FROM dup d`;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** One variant's server CPU: mean µs per call, and the median over rounds of raw CPU / its CPU. */
export interface VariantCpu {
  name: string;
  microsPerCall: number;
  rawOverThis: number;
}

/**
 * Runs every variant `rounds` times (`calls` appends each, random order per round, one warm-up round) in
 * a temporary database and returns their server CPU; throws if a variant fails to write an append.
 */
export async function measureAppendCpu(calls: number, rounds: number): Promise<VariantCpu[]> {
  const database = await createTemporaryPostgresDatabase('sanksi_bench_pgcpu');
  const client = new Client({ connectionString: database.url });
  try {
    if (!isLoopback(database.url)) throw new Error('the server must run on this machine to read its CPU');
    await client.connect();
    await client.query('SET synchronous_commit = off');
    await client.query('CREATE SCHEMA s');
    for (const m of postgresMigrations) await client.query(m.sql('s'));
    for (const make of Object.values(FUNCTIONS)) await client.query(make('s'));
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const data = JSON.stringify(DATA);
    const metadata = JSON.stringify(METADATA);
    const args = (stream: string, revision: number): unknown[] => [
      '4242',
      'sanksi_bench_pgcpu',
      stream,
      'pse',
      revision - 1,
      null,
      randomUUID(),
      'WarningIssued',
      1,
      data,
      metadata,
    ];
    const variants: Record<
      string,
      (stream: string, revision: number) => { text: string; values: unknown[] }
    > = {
      'raw INSERT': (stream, revision) => ({
        text: `INSERT INTO s.events (stream_id, revision, event_id, type, category, schema_version, data, metadata)
                 VALUES ($1, $2, $3, 'WarningIssued', 'pse', 1, $4, $5)`,
        values: [stream, revision, randomUUID(), data, metadata],
      }),
      'append_event (the store)': (stream, revision) => ({
        text: `SELECT status, revision, pos FROM s.append_event(${ARGS})`,
        values: args(stream, revision),
      }),
      ...Object.fromEntries(
        Object.keys(FUNCTIONS).map((name) => [
          name,
          (stream: string, revision: number) => ({
            text: `SELECT status, revision, pos FROM s.${name}(${ARGS})`,
            values: args(stream, revision),
          }),
        ]),
      ),
      'one statement, no function': (stream, revision) => ({
        text: STATEMENT('s'),
        values: args(stream, revision),
      }),
    };
    const names = Object.keys(variants);
    const used = new Map<string, number[]>(names.map((n) => [n, []]));
    for (let round = -1; round < rounds; round++) {
      for (const name of [...names].sort(() => Math.random() - 0.5)) {
        const revisions = new Map<string, number>();
        const before = schedulerCpuNs(pid);
        for (let i = 0; i < calls; i++) {
          const stream = `pse-${names.indexOf(name)}r${round}s${i % 64}`;
          const revision = (revisions.get(stream) ?? -1) + 1;
          revisions.set(stream, revision);
          const { text, values } = variants[name](stream, revision);
          const rows = (await client.query({ name: `v${names.indexOf(name)}`, text, values })).rows as Array<{
            status?: string;
          }>;
          if (name !== 'raw INSERT' && rows[0]?.status !== 'written')
            throw new Error(`${name} did not write: ${JSON.stringify(rows)}`);
        }
        const after = schedulerCpuNs(pid);
        if (before === undefined || after === undefined)
          throw new Error(`cannot read /proc/${pid}/schedstat`);
        if (round >= 0) used.get(name)?.push(after - before);
      }
    }
    const raw = used.get('raw INSERT') ?? [];
    return names.map((name) => {
      const ns = used.get(name) ?? [];
      return {
        name,
        microsPerCall: ns.reduce((a, b) => a + b, 0) / (ns.length * calls) / 1000,
        rawOverThis: median(raw.map((r, i) => r / ns[i])),
      };
    });
  } finally {
    await client.end().catch(() => undefined);
    await database.drop();
  }
}

async function main(): Promise<void> {
  const calls = option('calls', 200);
  const rounds = option('rounds', 40);
  const results = await measureAppendCpu(calls, rounds);
  console.log(`server CPU per call, ${rounds} rounds x ${calls} calls, synchronous_commit=off`);
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(28)} ${r.microsPerCall.toFixed(1).padStart(7)} µs   raw/this (median of rounds) ${r.rawOverThis.toFixed(2)}`,
    );
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
