import { createEventStore, type EventStore } from '@sanksi/event-store';
import { createReadModelStore, Projector, type ReadModelStore } from '@sanksi/read-models';
import { parentPort, workerData } from 'node:worker_threads';
import type {
  FromProjectorThread,
  ProjectorThreadData,
  ThreadError,
  ThreadLogLevel,
  ThreadProjection,
  ToProjectorThread,
} from './projector-thread.messages';
import { describeError } from './supervised-loop';

// Entry point of the projector thread of `sanksi serve` (decision 0012), started by `ProjectorThread`
// from the built `dist/`. It opens its own connections to the event store and the read models and runs
// the case and traffic projectors exactly as the in-process loop does — lease, batch and checkpoint in
// one transaction, checkpoint checks — while the main thread supervises each run, forwards the
// appends' wake-ups, and gets back statuses, batch metrics and log lines. It imports only the stores
// and this directory's small modules, not the application (services, API), to start light.

type Port = NonNullable<typeof parentPort>;

/** A pino-like logger whose lines go to the main thread's logger (one log, with its level and redaction). */
interface ForwardingLogger {
  child(bindings: Record<string, unknown>): ForwardingLogger;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function send(port: Port, message: FromProjectorThread): void {
  port.postMessage(message);
}

/** Errors keep their name, code and message across the boundary (a structured clone drops the code). */
function cloneable(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    out[key] = value instanceof Error ? { type: value.name, ...describeError(value) } : value;
  }
  return out;
}

function forwardingLogger(port: Port, bindings: Record<string, unknown>): ForwardingLogger {
  const line =
    (level: ThreadLogLevel) =>
    (obj: object, msg?: string): void => {
      try {
        send(port, { type: 'log', level, bindings, obj: cloneable(obj), msg });
      } catch {
        // Something in the object cannot be cloned: the line still goes, with its fields as text.
        send(port, { type: 'log', level, bindings, obj: { fields: String(obj) }, msg });
      }
    };
  return {
    child: (more) => forwardingLogger(port, { ...bindings, ...more }),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
}

function threadError(e: unknown): ThreadError {
  return { name: e instanceof Error ? e.name : 'Error', ...describeError(e) };
}

function openStores(
  data: ProjectorThreadData,
  logger: ForwardingLogger,
): { eventStore: EventStore; readModels: ReadModelStore } {
  const eventStore = createEventStore(
    data.eventStore.kind === 'postgres'
      ? { ...data.eventStore, timeouts: data.postgres, logger: logger.child({ store: 'events' }) }
      : data.eventStore,
  );
  const readModels = createReadModelStore(
    data.readModels.kind === 'postgres'
      ? { ...data.readModels, timeouts: data.postgres, logger: logger.child({ store: 'read-models' }) }
      : data.readModels,
  );
  return { eventStore, readModels };
}

function serveThread(port: Port, data: ProjectorThreadData): void {
  const logger = forwardingLogger(port, {});
  const { eventStore, readModels } = openStores(data, logger);
  const lease = data.leaseTtlMs ? { leaseTtlMs: data.leaseTtlMs } : {};
  const projectors: Record<ThreadProjection, Projector> = {
    cases: new Projector({
      source: eventStore,
      store: readModels,
      logger: logger.child({ worker: 'projector' }),
      onBatch: ({ events, seconds }) => send(port, { type: 'batch', events, seconds }),
      ...lease,
    }),
    traffic: new Projector({
      projection: 'traffic',
      source: eventStore,
      store: readModels,
      logger: logger.child({ worker: 'traffic-projector' }),
      ...lease,
    }),
  };
  const runs = new Map<ThreadProjection, { abort: AbortController; done: Promise<void> }>();
  let closing: Promise<void> | null = null;

  const run = (projection: ThreadProjection): void => {
    // The main thread asks again only after this run ended; should a late run still finish, wait for it.
    const previous = runs.get(projection)?.done ?? Promise.resolve();
    const abort = new AbortController();
    const done = previous
      .then(() => projectors[projection].run(abort.signal))
      .then(
        () => send(port, { type: 'ended', projection, error: null }),
        (e: unknown) => send(port, { type: 'ended', projection, error: threadError(e) }),
      )
      .finally(() => {
        if (runs.get(projection)?.done === done) runs.delete(projection);
      });
    runs.set(projection, { abort, done });
  };

  const close = async (): Promise<void> => {
    // Each projector finishes the batch in hand (committed with its checkpoint) and releases its lease.
    for (const { abort } of runs.values()) abort.abort();
    await Promise.allSettled([...runs.values()].map((r) => r.done));
    await Promise.allSettled([eventStore.close(), readModels.close()]);
    send(port, { type: 'closed' });
    port.close();
  };

  port.on('message', (message: ToProjectorThread) => {
    switch (message.type) {
      case 'run':
        if (!closing) run(message.projection);
        return;
      case 'stop':
        runs.get(message.projection)?.abort.abort();
        return;
      case 'status':
        Promise.all([projectors.cases.status(), projectors.traffic.status()]).then(
          ([cases, traffic]) => send(port, { type: 'status', id: message.id, statuses: { cases, traffic } }),
          (e: unknown) => send(port, { type: 'status', id: message.id, error: threadError(e) }),
        );
        return;
      case 'wake':
        eventStore.notifyCommitted?.(message.categories);
        return;
      case 'close':
        closing ??= close();
        return;
    }
  });
}

if (parentPort) serveThread(parentPort, workerData as ProjectorThreadData);
