// The long reads of a SQLite read-model store, on a thread of their own (SqliteSqlClient.queryAside): a
// statement that reads the whole history holds the thread that runs it for seconds at a million systems, and
// on the request loop every other request would wait for it. Read-only connection, one statement at a time.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { plannedOnce, READER_MMAP_BYTES } from './sqlite-reader.settings';

/** A statement to run, and its answer: the result columns and the rows as arrays, or the error. */
export interface AsideRequest {
  id: number;
  sql: string;
  params: unknown[];
}
export type AsideAnswer =
  | { id: number; columns: string[]; rows: unknown[][] }
  | { id: number; error: { message: string; code?: string } };

const port = parentPort;
if (port) {
  const db = new Database((workerData as { file: string }).file, { readonly: true });
  db.pragma('busy_timeout = 10000');
  db.pragma(`mmap_size = ${READER_MMAP_BYTES}`);
  port.on('message', ({ id, sql, params }: AsideRequest) => {
    let answer: AsideAnswer;
    try {
      const statement = db.prepare<unknown[], unknown[]>(plannedOnce(sql)).raw(true);
      answer = { id, columns: statement.columns().map((c) => c.name), rows: statement.all(...params) };
    } catch (e) {
      const error = e as { message?: unknown; code?: unknown };
      answer = {
        id,
        error: {
          message: String(error.message ?? e),
          code: typeof error.code === 'string' ? error.code : undefined,
        },
      };
    }
    port.postMessage(answer);
  });
}
