import type { CaseSummaryRow } from '@sanksi/read-models';
import { Client } from 'pg';
import type { CaseStream } from './case-histories';
import type {
  EmmettEventStore,
  EmmettExpectedVersion,
  EmmettModules,
  EmmettPostgresProjectionContext,
  EmmettProjection,
  EmmettProjectionRegistration,
  EmmettSqliteProjectionContext,
} from './emmett-modules';
import { perWriter, Tally, timed, type BenchSide } from './side';
import { foldSummary, fromEmmett, summaryTableSql } from './summary-projection';

/** The event types of the workload's histories, for Emmett's `canHandle` (it projects only what it is told). */
export function projectedTypes(streams: readonly CaseStream[]): string[] {
  return [...new Set(streams.flatMap((s) => s.events.map((e) => e.type)))];
}

/** The case summary as an Emmett inline projection on PostgreSQL: load, fold, upsert inside the append's transaction. */
export function postgresSummaryProjection(
  types: string[],
): EmmettProjection<EmmettPostgresProjectionContext> {
  return {
    name: 'case_summaries',
    canHandle: types,
    async handle(events, { connection: { client } }) {
      for (const event of events) {
        const e = fromEmmett(event);
        const { rows } = await client.query('SELECT doc FROM case_summaries WHERE id = $1', [e.streamId]);
        const row = foldSummary(rows[0]?.['doc'] as CaseSummaryRow | undefined, e);
        await client.query(
          `INSERT INTO case_summaries (id, doc, position) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, position = excluded.position`,
          [e.streamId, JSON.stringify(row), e.position],
        );
      }
    },
  };
}

/** The case summary as an Emmett inline projection on SQLite: load, fold, upsert on the append's connection. */
export function sqliteSummaryProjection(types: string[]): EmmettProjection<EmmettSqliteProjectionContext> {
  return {
    name: 'case_summaries',
    canHandle: types,
    async handle(events, { connection }) {
      for (const event of events) {
        const e = fromEmmett(event);
        const found = await connection.querySingle<{ doc: string }>(
          'SELECT doc FROM case_summaries WHERE id = ?',
          [e.streamId],
        );
        const row = foldSummary(found ? (JSON.parse(found.doc) as CaseSummaryRow) : undefined, e);
        await connection.command(
          `INSERT INTO case_summaries (id, doc, position) VALUES (?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, position = excluded.position`,
          [e.streamId, JSON.stringify(row), event.metadata.globalPosition === undefined ? null : e.position],
        );
      }
    },
  };
}

/** Creates the summary table in an Emmett SQLite file (through Emmett's own connection). */
export async function createSqliteSummaryTable(emmett: EmmettModules, fileName: string): Promise<void> {
  const connection = emmett.sqliteConnection({ fileName });
  try {
    await connection.command(summaryTableSql('TEXT'));
  } finally {
    connection.close();
  }
}

/** Creates the summary table in Emmett's PostgreSQL database. */
export async function createPostgresSummaryTable(connectionString: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(summaryTableSql('jsonb'));
  } finally {
    await client.end();
  }
}

/** Emmett's projections option for a store: the summary projection registered inline, or none. */
export function inline<C>(
  emmett: EmmettModules,
  projection?: EmmettProjection<C>,
): EmmettProjectionRegistration[] {
  return projection ? emmett.projections.inline([projection]) : [];
}

let muted = 0;

/** How many lines Emmett wrote with console.log while the bench had it muted (its SQLite store logs each failed transaction). */
export function emmettLogLines(): number {
  return muted;
}

/** Runs Emmett's work with console.log muted and counted: its error dumps would bury the table. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {
    muted++;
  };
  try {
    return await work();
  } finally {
    console.log = log;
  }
}

/**
 * Emmett's store: every event appended alone with the expected stream version from the previous append
 * (STREAM_DOES_NOT_EXIST first), inline projections (if registered on the store) in the append's transaction.
 */
export function emmettSide(store: EmmettEventStore, close: () => Promise<void>): BenchSide {
  return {
    append: (streams, writers) =>
      timed(async () => {
        const tally = new Tally();
        await quietly(() =>
          perWriter(streams, writers, async (stream) => {
            let expected: EmmettExpectedVersion = 'STREAM_DOES_NOT_EXIST';
            for (const e of stream.events) {
              try {
                const result = await store.appendToStream(stream.streamId, [e], {
                  expectedStreamVersion: expected,
                });
                expected = result.nextExpectedStreamVersion;
                tally.events++;
              } catch (error) {
                tally.fail(error);
                return;
              }
            }
          }),
        );
        return tally.result();
      }),
    readBack: (streams) =>
      timed(async () => {
        const tally = new Tally();
        await quietly(async () => {
          for (const stream of streams) {
            try {
              tally.events += (await store.readStream(stream.streamId)).events.length;
            } catch (error) {
              tally.fail(error);
            }
          }
        });
        return tally.result();
      }),
    close,
  };
}
