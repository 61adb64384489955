import { createEventStore } from '@sanksi/event-store';
import { createReadModelStore, PROJECTED_TABLES, projectedContentSql, Projector } from '@sanksi/read-models';
import { Client } from 'pg';

/** The shared PostgreSQL (tools/test.mjs exports DATABASE_URL; infra/up.sh guarantees it). */
export const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Creates a database no other test uses; `drop` removes it (after closing every connection to it). */
export async function freshDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sanksi_${label}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs `fn` with one connection to `url`. */
export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** One case event as the log holds it. */
export interface LoggedEvent {
  position: number;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Every event of the case streams, in log order. */
export async function loggedEvents(c: Client): Promise<LoggedEvent[]> {
  const { rows } = await c.query<{
    position: string;
    stream_id: string;
    revision: string;
    event_id: string;
    type: string;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
  }>(
    `SELECT position, stream_id, revision, event_id, type, data, metadata
     FROM event_store.events WHERE category = 'pse' ORDER BY position`,
  );
  return rows.map((r) => ({
    position: Number(r.position),
    streamId: r.stream_id,
    revision: Number(r.revision),
    eventId: r.event_id,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
  }));
}

/**
 * What must hold of any log, whatever crashed while it was written: streams gap-free, event ids
 * unique, every append whole and applied once, no deadline elapsed twice (an elapse a later fact
 * retracted does not count: the re-derived one replaces it, docs/regulation.md §9.5).
 */
export function logInvariants(events: LoggedEvent[]): {
  streamsWithGaps: string[];
  duplicateEventIds: string[];
  appendsAppliedTwice: string[];
  deadlinesElapsedTwice: string[];
  retractions: number;
  elapses: number;
} {
  const revisions = new Map<string, number[]>();
  const ids = new Map<string, number>();
  const appends = new Map<string, Array<{ stream: string; revision: number }>>();
  const retracted = new Set<string>();
  for (const e of events) {
    revisions.set(e.streamId, [...(revisions.get(e.streamId) ?? []), e.revision]);
    ids.set(e.eventId, (ids.get(e.eventId) ?? 0) + 1);
    const append = String(e.metadata['append'] ?? e.metadata['commandId'] ?? '');
    if (append) {
      const key = `${e.streamId} ${append}`;
      appends.set(key, [...(appends.get(key) ?? []), { stream: e.streamId, revision: e.revision }]);
    }
    if (e.type === 'ConsequencesRetracted') {
      for (const id of (e.data['retracted'] as string[]) ?? []) retracted.add(id);
    }
  }
  const elapsed = new Map<string, number>();
  let elapses = 0;
  for (const e of events) {
    if (e.type !== 'DeadlineElapsed' || retracted.has(e.eventId)) continue;
    elapses++;
    const key = `${e.streamId} ${String(e.data['deadline'])} ${String(e.data['dueAt'])} ${String(e.data['fineId'])}`;
    elapsed.set(key, (elapsed.get(key) ?? 0) + 1);
  }
  return {
    streamsWithGaps: [...revisions].filter(([, r]) => r.some((v, i) => v !== i)).map(([s]) => s),
    duplicateEventIds: [...ids].filter(([, n]) => n > 1).map(([id]) => id),
    // One append is one run of consecutive revisions; the same command applied twice would be two runs.
    appendsAppliedTwice: [...appends]
      .filter(([, evs]) => evs.some((e, i) => i > 0 && e.revision !== evs[i - 1].revision + 1))
      .map(([k]) => k),
    deadlinesElapsedTwice: [...elapsed].filter(([, n]) => n > 1).map(([k]) => k),
    retractions: retracted.size,
    elapses,
  };
}

/**
 * Rebuilds the read models from zero into a schema of their own (same database, read from the same
 * log) and compares every projected table with the live ones, row for row in a fixed order.
 * Returns the tables that differ (empty when equal) and how many rows were compared.
 */
export async function compareWithRebuild(
  url: string,
  liveSchema = 'read_models',
): Promise<{
  differing: Array<{ table: string; live: number; rebuilt: number; firstDifference: string }>;
  rows: number;
}> {
  const rebuiltSchema = `${liveSchema}_rebuild`;
  const source = createEventStore({ kind: 'postgres', connectionString: url });
  const store = createReadModelStore({ kind: 'postgres', connectionString: url, schema: rebuiltSchema });
  try {
    await store.migrate();
    await new Projector({ source, store }).runOnce();
  } finally {
    await Promise.allSettled([store.close(), source.close()]);
  }
  return withClient(url, async (c) => {
    const differing: Array<{ table: string; live: number; rebuilt: number; firstDifference: string }> = [];
    let rows = 0;
    for (const table of PROJECTED_TABLES) {
      // A row's JSON text orders the rows of either side the same way, whatever the table's key.
      const read = async (schema: string) =>
        (
          await c.query<{ row: string }>(
            `SELECT to_jsonb(t)::text AS row FROM (${projectedContentSql(table, `${schema}.${table}`)}) t ORDER BY 1`,
          )
        ).rows.map((r) => r.row);
      const [live, rebuilt] = [await read(liveSchema), await read(rebuiltSchema)];
      rows += live.length;
      const at = live.findIndex((r, i) => r !== rebuilt[i]);
      if (live.length !== rebuilt.length || at >= 0) {
        const i = at >= 0 ? at : Math.min(live.length, rebuilt.length);
        differing.push({
          table,
          live: live.length,
          rebuilt: rebuilt.length,
          firstDifference: `live ${live[i] ?? '(none)'} / rebuilt ${rebuilt[i] ?? '(none)'}`,
        });
      }
    }
    const checkpoint = async (schema: string) =>
      Number(
        (
          await c.query<{ position: string }>(
            `SELECT max(position) AS position FROM ${schema}.projection_checkpoints`,
          )
        ).rows[0].position,
      );
    const [livePosition, rebuiltPosition] = [await checkpoint(liveSchema), await checkpoint(rebuiltSchema)];
    if (livePosition !== rebuiltPosition) {
      differing.push({
        table: 'projection_checkpoints',
        live: livePosition,
        rebuilt: rebuiltPosition,
        firstDifference: `position ${livePosition} / ${rebuiltPosition}`,
      });
    }
    return { differing, rows };
  });
}
