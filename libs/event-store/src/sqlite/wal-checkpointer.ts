import { Worker } from 'node:worker_threads';

/**
 * Where a SQLite file's write-ahead log is copied back into the database: `'thread'` (a thread of the
 * process, with a connection of its own, copies it while the writer goes on) or `'inline'` (SQLite's own
 * automatic checkpoint, inside the commit that fills the log past 1,000 pages).
 */
export type SqliteCheckpoints = 'thread' | 'inline';

/**
 * Pages the log may hold before the writer checkpoints inline after all (SQLite's automatic checkpoint),
 * when checkpoints run on a thread: a safety net for a thread that cannot keep up or has failed. 16,384
 * pages of 4 KiB: the log stays under 64 MiB, where the thread keeps it at a few MiB.
 */
export const INLINE_CHECKPOINT_PAGES_WITH_THREAD = 16_384;

/** Least time between two checkpoints of a file while it is written; idle, none at all. */
const CHECKPOINT_INTERVAL_MS = 100;

// The thread's whole program, run from this text: it needs no built script, so the TypeScript sources
// under jest run it as the build does. It opens its own connection and, each time it is asked (at most
// once an interval), runs a PASSIVE checkpoint — which copies what it can without waiting for the
// writer or readers and takes no write lock, so the writer commits beside it.
const THREAD_PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
let last = 0;
let timer = null;
function checkpoint() {
  timer = null;
  last = Date.now();
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ kind: 'done' });
  } catch (error) {
    // Another process checkpointing the same file holds the checkpoint lock: its copy serves ours.
    parentPort.postMessage({ kind: 'done', error: String(error && error.message) });
  }
}
parentPort.on('message', (message) => {
  if (message === 'close') {
    if (timer !== null) clearTimeout(timer);
    db.close();
    parentPort.close();
    return;
  }
  if (timer === null) timer = setTimeout(checkpoint, Math.max(0, last + workerData.intervalMs - Date.now()));
});
`;

interface Shared {
  checkpointer: WalCheckpointer;
  users: number;
}

// One thread per file and per thread of the process: stores on one file in one thread share it.
const byFile = new Map<string, Shared>();

/**
 * Checkpoints one SQLite file in WAL mode on a thread of its own, so that a writer on the request loop
 * (the event store under HTTP) or on a bulk thread (`simulate`, `import`) does not copy the log itself:
 * that copy and its fsyncs made one commit in forty on the HTTP line take 11–16 ms, and a quarter of the CPU
 * of a thread appending in bulk (docs/benchmarks.md, "Checkpoints on a thread of their own"). At a million
 * systems the writer still copies what the thread has not reached when the log passes its own limit.
 * Started on the first write, so a process that only reads starts no thread; idle, it does nothing.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private asked = false;
  private exited: Promise<void> | undefined;
  private failed = false;

  private constructor(
    private readonly file: string,
    private readonly onError: (error: Error) => void,
  ) {}

  /** The checkpointer of `file` (an absolute path) in this thread, shared by its users until each closes it. */
  static forFile(file: string, onError: (error: Error) => void): WalCheckpointer {
    const shared = byFile.get(file) ?? { checkpointer: new WalCheckpointer(file, onError), users: 0 };
    shared.users += 1;
    byFile.set(file, shared);
    return shared.checkpointer;
  }

  /**
   * Says the file was written (call after each commit): asks the thread for a checkpoint unless one is
   * already asked for. A failed thread is not restarted: the writer's own automatic checkpoint, at the
   * larger limit, then keeps the log bounded.
   */
  wrote(): void {
    if (this.asked || this.failed) return;
    const worker = this.worker ?? this.start();
    if (worker === undefined) return;
    this.asked = true;
    worker.postMessage('checkpoint');
  }

  /**
   * Resolves once no checkpoint is asked for or under way (at once when there is none, or the thread
   * failed or is closed): what was written before the call has been copied as far as a passive
   * checkpoint could. For measurements that must not leave one side's copying in the next side's time.
   */
  async whenIdle(): Promise<void> {
    while (this.asked && !this.failed && this.worker !== undefined) {
      const worker = this.worker;
      await Promise.race([new Promise((resolve) => worker.once('message', resolve)), this.exited]);
    }
  }

  private start(): Worker | undefined {
    try {
      const worker = new Worker(THREAD_PROGRAM, {
        eval: true,
        workerData: {
          file: this.file,
          driver: require.resolve('better-sqlite3'),
          intervalMs: CHECKPOINT_INTERVAL_MS,
        },
      });
      // A background helper: it never keeps the process alive.
      worker.unref();
      worker.on('message', () => {
        this.asked = false;
      });
      worker.on('error', (error) => this.fail(error));
      this.exited = new Promise((resolve) =>
        worker.once('exit', (code) => {
          if (this.worker === worker) this.fail(new Error(`the checkpoint thread exited (code ${code})`));
          resolve();
        }),
      );
      this.worker = worker;
      return worker;
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.worker = undefined;
    this.onError(error);
  }

  /** One user is done with it; the last one closes the thread's connection and waits for the thread to end. */
  async close(): Promise<void> {
    const shared = byFile.get(this.file);
    if (shared === undefined || shared.checkpointer !== this || --shared.users > 0) return;
    byFile.delete(this.file);
    const worker = this.worker;
    this.worker = undefined;
    if (worker === undefined) return;
    // Waited for, the thread keeps the process alive until its connection is closed.
    worker.ref();
    worker.postMessage('close');
    await this.exited;
  }
}
