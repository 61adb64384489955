import type { CaseSummaryRow } from '@sanksi/read-models';
import type { EventStore, RecordedEvent } from '@sanksi/event-store';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { CaseStream } from './case-histories';
import type { SideFigure } from './result-table';
import { perWriter, Tally, timed, type BenchSide } from './side';
import { foldSummary, summaryTableSql } from './summary-projection';

/** Where Sanksi's projection writes: load the batch's rows, fold, upsert them and the checkpoint in one transaction. */
export interface SummarySink {
  apply(batch: readonly RecordedEvent[]): Promise<void>;
  close(): Promise<void>;
}

function foldBatch(
  batch: readonly RecordedEvent[],
  loaded: ReadonlyMap<string, CaseSummaryRow>,
): Map<string, { row: CaseSummaryRow; position: number }> {
  const touched = new Map<string, { row: CaseSummaryRow; position: number }>();
  for (const e of batch) {
    const row = foldSummary(touched.get(e.streamId)?.row ?? loaded.get(e.streamId), e);
    touched.set(e.streamId, { row, position: e.position });
  }
  return touched;
}

/** The summary sink on a read-model SQLite file of its own (WAL, the given `synchronous`), as Sanksi keeps read models. */
export function sqliteSummarySink(file: string, synchronous: 'NORMAL' | 'FULL'): SummarySink {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(summaryTableSql('TEXT'));
  db.exec('CREATE TABLE IF NOT EXISTS checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
  const load = db.prepare<[string], { doc: string }>('SELECT doc FROM case_summaries WHERE id = ?');
  const upsert = db.prepare(
    'INSERT INTO case_summaries (id, doc, position) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, position = excluded.position',
  );
  const checkpoint = db.prepare(
    "INSERT INTO checkpoint (name, position) VALUES ('summary', ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
  );
  const apply = db.transaction((batch: readonly RecordedEvent[]) => {
    const loaded = new Map<string, CaseSummaryRow>();
    for (const id of new Set(batch.map((e) => e.streamId))) {
      const found = load.get(id);
      if (found) loaded.set(id, JSON.parse(found.doc) as CaseSummaryRow);
    }
    for (const [id, { row, position }] of foldBatch(batch, loaded))
      upsert.run(id, JSON.stringify(row), position);
    checkpoint.run(batch[batch.length - 1].position);
  });
  return {
    async apply(batch) {
      apply(batch);
    },
    async close() {
      db.close();
    },
  };
}

/** The summary sink on PostgreSQL (default commit), one client, batch and checkpoint in one transaction. */
export async function postgresSummarySink(connectionString: string): Promise<SummarySink> {
  const client = new Client({ connectionString });
  await client.connect();
  await client.query(summaryTableSql('jsonb').replace('case_summaries', 'sanksi_case_summaries'));
  await client.query(
    'CREATE TABLE IF NOT EXISTS sanksi_checkpoint (name TEXT PRIMARY KEY, position BIGINT NOT NULL)',
  );
  return {
    async apply(batch) {
      const ids = [...new Set(batch.map((e) => e.streamId))];
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ id: string; doc: CaseSummaryRow }>(
          'SELECT id, doc FROM sanksi_case_summaries WHERE id = ANY($1::text[])',
          [ids],
        );
        const touched = foldBatch(batch, new Map(rows.map((r) => [r.id, r.doc])));
        await client.query(
          `INSERT INTO sanksi_case_summaries (id, doc, position)
           SELECT * FROM unnest($1::text[], $2::jsonb[], $3::int8[])
           ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, position = excluded.position`,
          [
            [...touched.keys()],
            [...touched.values()].map((t) => JSON.stringify(t.row)),
            [...touched.values()].map((t) => t.position),
          ],
        );
        await client.query(
          `INSERT INTO sanksi_checkpoint (name, position) VALUES ('summary', $1)
           ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
          [batch[batch.length - 1].position],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async close() {
      await client.end();
    },
  };
}

const PROJECTION_PAGE = 500;

/**
 * Sanksi through its real event store adapter: every event appended alone with its expected revision and
 * a command id (idempotency), as the command path does. With a sink, Sanksi's projection runs beside the
 * writers the way its projector does (after commit, from the global log, batch and checkpoint in one
 * transaction) and the line ends only when it has caught up with the last append. `settle`, when given,
 * is waited for after each timed run, outside its time: work the store left to a thread of its own (the
 * SQLite store's checkpoint thread copying its log back) finishes there, not in the next side's run.
 */
export function sanksiSide(store: EventStore, sink?: SummarySink, settle?: () => Promise<void>): BenchSide {
  const settled = async (figure: Promise<SideFigure>): Promise<SideFigure> => {
    const result = await figure;
    await settle?.();
    return result;
  };
  const appendAll = async (streams: readonly CaseStream[], writers: number, tally: Tally): Promise<void> =>
    perWriter(streams, writers, async (stream) => {
      let expected: number | 'no_stream' = 'no_stream';
      for (const e of stream.events) {
        try {
          const result = await store.appendToStream(
            stream.streamId,
            [{ eventId: randomUUID(), type: e.type, data: e.data, metadata: e.metadata }],
            { expectedRevision: expected, commandId: randomUUID() },
          );
          expected = result.nextExpectedRevision;
          tally.events++;
        } catch (error) {
          tally.fail(error);
          return;
        }
      }
    });
  return {
    append: (streams, writers) =>
      settled(
        timed(async () => {
          const tally = new Tally();
          if (!sink) {
            await appendAll(streams, writers, tally);
            return tally.result();
          }
          let after = await store.headPosition();
          let writing = true;
          const projecting = (async () => {
            for (;;) {
              const page = await store.readAll({ after, limit: PROJECTION_PAGE });
              if (page.length === 0) {
                if (!writing) return;
                await new Promise((resolve) => setTimeout(resolve, 1));
                continue;
              }
              await sink.apply(page);
              after = page[page.length - 1].position;
            }
          })();
          try {
            await appendAll(streams, writers, tally);
          } finally {
            writing = false;
          }
          await projecting;
          return tally.result();
        }),
      ),
    readBack: (streams) =>
      settled(
        timed(async () => {
          const tally = new Tally();
          for (const stream of streams) {
            try {
              tally.events += (await store.readStream(stream.streamId)).length;
            } catch (error) {
              tally.fail(error);
            }
          }
          return tally.result();
        }),
      ),
    async close() {
      await sink?.close();
      await store.close();
    },
  };
}
