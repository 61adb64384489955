import path from 'node:path';
import {
  DeadlineScheduler,
  type DeadlineSchedulerOptions,
  kafkaSecurity,
  type LoopError,
  type LoopState,
  OssRegistrationConsumer,
  type OssRegistrationConsumerOptions,
  type SanksiRuntime,
  SupervisedLoop,
  type WorkerModule,
} from '@sanksi/application';
import {
  CASE_EVENTS_TOPIC,
  type CheckpointStore,
  createKafka,
  ensureTopics,
  verifyKafkaCredentials,
  KafkaJsPublisher,
  KafkaRelay,
  type MessagingLogger,
  PostgresCheckpointStore,
  projectTopics,
  SqliteCheckpointStore,
  type TopicSpec,
} from '@sanksi/messaging';
import type { Logger } from 'pino';

/** One background worker's progress, as the API's `/metrics` and readiness read it (`WorkerStatusSource`). */
export interface WorkerStatus {
  name: string;
  position: number;
  eventsPerSecond: number;
  /** The loop runs and its own work goes well (the relay and the consumer reach Kafka...). */
  healthy: boolean;
  /** The supervisor's view: `restarting` while it backs off after a failure, `stopped` once stopped. */
  state: LoopState;
  /** Restarts after failures since the worker started. */
  restarts: number;
  /** Global positions between the log head and the worker, where it follows the log (null otherwise). */
  lag: number | null;
  /** The last failure of the loop or of its work, for logs and `/metrics` (not for readiness bodies). */
  lastError: LoopError | null;
}

/** The running worker modules of a process. */
export interface WorkerHandle {
  /** The modules actually running (a Kafka module without `KAFKA_BROKERS` is skipped). */
  readonly modules: WorkerModule[];
  /** One status per running module. */
  statuses(): Promise<WorkerStatus[]>;
  /** Stops every module (each finishes the batch or tick in hand) and releases what they opened. */
  stop(): Promise<void>;
}

/** Knobs for tests and tools; production uses the defaults. */
export interface WorkerOptions {
  scheduler?: DeadlineSchedulerOptions;
  /** Overrides of the OSS consumer (topic, group...); brokers always come from the configuration. */
  oss?: Omit<Partial<OssRegistrationConsumerOptions>, 'brokers'>;
  /** Case-events topic and relay tuning (defaults: `sanksi.case-events.v1`, 200 ms poll). */
  relay?: { topic?: string; pollIntervalMs?: number; backoff?: { initialMs?: number; maxMs?: number } };
  /** Restart backoff of every supervised loop (defaults 250 ms doubling to 30 s). */
  restartBackoff?: { initialMs?: number; maxMs?: number };
}

interface RunningModule {
  name: WorkerModule;
  status(): Promise<WorkerStatus>;
  stop(): Promise<void>;
}

const ORDER: WorkerModule[] = ['projector', 'relay', 'scheduler', 'oss-consumer'];

/**
 * Starts the worker modules named by `modules` (default: the configuration's `SANKSI_WORKER`):
 * the projector, the Kafka relay, the deadline scheduler and the OSS registration consumer.
 * Resolves once they run; a missing broker is reported in the statuses and retried, never thrown.
 */
export async function startWorker(
  runtime: SanksiRuntime,
  modules: readonly WorkerModule[] = runtime.config.worker,
  options: WorkerOptions = {},
): Promise<WorkerHandle> {
  const logger = runtime.logger.child({ component: 'worker' });
  const wanted = ORDER.filter((m) => modules.includes(m));
  const running: RunningModule[] = [];
  try {
    for (const name of wanted) {
      const started = await startModule(name, wanted, runtime, logger, options);
      if (started) running.push(started);
    }
  } catch (e) {
    await stopAll(running, logger);
    throw e;
  }
  logger.info({ modules: running.map((m) => m.name) }, 'worker started');
  let stopping: Promise<void> | null = null;
  return {
    modules: running.map((m) => m.name),
    statuses: () => Promise.all(running.map((m) => m.status())),
    stop: () => (stopping ??= stopAll(running, logger)),
  };
}

async function stopAll(running: readonly RunningModule[], logger: Logger): Promise<void> {
  // Consumers of the log first, the projector last: the scheduler and relay may still read its views.
  for (const module of [...running].reverse()) {
    const started = Date.now();
    logger.debug({ module: module.name }, 'stopping module');
    await module
      .stop()
      .catch((e: unknown) => logger.error({ err: e, module: module.name }, 'module did not stop cleanly'));
    const tookMs = Date.now() - started;
    // A slow stop eats the shutdown deadline of the whole process: say which module took it.
    if (tookMs > 2_000) logger.warn({ module: module.name, tookMs }, 'module was slow to stop');
  }
  logger.info({}, 'worker stopped');
}

async function startModule(
  name: WorkerModule,
  modules: readonly WorkerModule[],
  runtime: SanksiRuntime,
  logger: Logger,
  options: WorkerOptions,
): Promise<RunningModule | null> {
  switch (name) {
    case 'projector':
      return startProjector(runtime, logger, options);
    case 'scheduler': {
      // Without a projector in this process the scheduler catches the read model up first: it waits for
      // another process's following projector when there is one, and projects itself otherwise.
      const scheduler = new DeadlineScheduler(runtime, {
        project: !modules.includes('projector'),
        restartBackoff: options.restartBackoff,
        ...options.scheduler,
      });
      scheduler.start();
      return {
        name,
        status: async () => {
          const s = scheduler.status();
          return {
            name: s.name,
            position: s.position,
            eventsPerSecond: s.eventsPerSecond,
            healthy: s.healthy && s.loop.state === 'running',
            state: s.loop.state,
            restarts: s.loop.restarts,
            lag: null,
            lastError: s.loop.lastError ?? s.lastError,
          };
        },
        stop: () => scheduler.stop(),
      };
    }
    case 'relay':
      if (!runtime.config.kafka) {
        logger.warn({ module: name }, 'relay not started: KAFKA_BROKERS is not set');
        return null;
      }
      return startRelay(runtime, runtime.config.kafka, logger, options);
    case 'oss-consumer': {
      if (!runtime.config.kafka) {
        logger.warn({ module: name }, 'oss-consumer not started: KAFKA_BROKERS is not set');
        return null;
      }
      // Refused SASL credentials are a configuration error: fail the start rather than retry forever.
      if (runtime.config.kafka.sasl)
        await verifyKafkaCredentials(kafkaClient(runtime, 'sanksi-oss-consumer'));
      const consumer = new OssRegistrationConsumer(runtime, {
        ...options.oss,
        brokers: runtime.config.kafka.brokers,
        security: kafkaSecurity(runtime.config.kafka),
      });
      // The consumer retries the broker itself; the supervisor restarts it should its loop ever end.
      const loop = new SupervisedLoop({
        name,
        backoff: options.restartBackoff,
        logger: logger.child({ module: name }),
        run: (signal) =>
          superviseStartStop(signal, {
            start: () => consumer.start(),
            stop: () => consumer.stop(),
            ended: () => (consumer.status().state === 'stopped' ? consumer.status().lastError : undefined),
          }),
      });
      loop.start();
      return {
        name,
        status: async () => {
          const s = consumer.status();
          const l = loop.status();
          return {
            name: s.name,
            position: s.position,
            eventsPerSecond: s.eventsPerSecond,
            healthy: s.healthy && l.state === 'running',
            state: l.state,
            restarts: l.restarts,
            lag: null,
            lastError: s.lastError ?? l.lastError,
          };
        },
        stop: () => loop.stop(),
      };
    }
    default: {
      const unknown: never = name;
      throw new TypeError(`unknown worker module ${String(unknown)}`);
    }
  }
}

/** The error a long-lived worker ended with on its own, wrapped so the supervisor restarts it. */
class WorkerLoopEnded extends Error {
  readonly code: string;
  constructor(cause: { code: string; message: string } | null) {
    super(cause ? cause.message : 'the loop ended by itself');
    this.code = cause?.code ?? 'WORKER_LOOP_ENDED';
  }
}

/**
 * One supervised run of a worker with its own start/stop (relay, OSS consumer): starts it, waits until
 * the signal aborts or the worker ends on its own (`ended` returns non-undefined), then stops it; an
 * end on its own is thrown so the supervisor restarts it after its backoff.
 */
async function superviseStartStop(
  signal: AbortSignal,
  worker: {
    start(): Promise<void>;
    stop(): Promise<void>;
    ended(): { code: string; message: string } | null | undefined;
  },
  pollMs = 200,
): Promise<void> {
  await worker.start();
  try {
    for (;;) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollMs);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done);
      });
      if (signal.aborted) return;
      const ended = worker.ended();
      if (ended !== undefined) throw new WorkerLoopEnded(ended);
    }
  } finally {
    await worker.stop();
  }
}

function startProjector(runtime: SanksiRuntime, logger: Logger, options: WorkerOptions): RunningModule {
  const loop = new SupervisedLoop({
    name: 'projector',
    backoff: options.restartBackoff,
    logger: logger.child({ module: 'projector' }),
    // Any error, a CheckpointConflict included (someone reset or moved the checkpoint), ends the run;
    // the next run starts again from the checkpoint as it is in the store.
    run: (signal) => runtime.projector.run(signal),
  });
  loop.start();
  return {
    name: 'projector',
    status: async () => {
      const s = await runtime.projector.status();
      const l = loop.status();
      return {
        name: 'projector',
        position: s.position,
        eventsPerSecond: s.eventsPerSecond,
        healthy: l.state === 'running' && s.lastError === null,
        state: l.state,
        restarts: l.restarts,
        lag: s.lag,
        lastError: l.lastError,
      };
    },
    stop: () => loop.stop(),
  };
}

/** The relay's checkpoints live beside the read models: a SQLite file, or the same PostgreSQL. */
export function relayCheckpoints(runtime: SanksiRuntime): CheckpointStore {
  const rm = runtime.config.readModels;
  return rm.kind === 'postgres'
    ? new PostgresCheckpointStore(rm.connectionString, {
        timeouts: runtime.config.postgres,
        logger: runtime.logger.child({ store: 'relay-checkpoints' }),
      })
    : new SqliteCheckpointStore(path.join(runtime.config.dataDir, 'relay-checkpoints.db'));
}

async function startRelay(
  runtime: SanksiRuntime,
  kafkaConfig: { brokers: string[]; partitions: number },
  logger: Logger,
  options: WorkerOptions,
): Promise<RunningModule> {
  const relayLogger = logger.child({ module: 'relay' });
  const kafka = kafkaClient(runtime, 'sanksi-relay', relayLogger);
  if (runtime.config.kafka?.sasl) await verifyKafkaCredentials(kafka);
  const publisher = new KafkaJsPublisher(kafka);
  const checkpoints = relayCheckpoints(runtime);
  const topics = projectTopics({ caseEventsPartitions: kafkaConfig.partitions });
  const caseEvents = topics.find((t) => t.topic === CASE_EVENTS_TOPIC) as TopicSpec;
  const specs = options.relay?.topic ? [{ ...caseEvents, topic: options.relay.topic }] : topics;
  const relay = new KafkaRelay({
    store: runtime.eventStore,
    publisher,
    checkpoints,
    logger: relayLogger,
    ...(options.relay?.topic ? { topic: options.relay.topic } : {}),
    ...(options.relay?.pollIntervalMs ? { pollIntervalMs: options.relay.pollIntervalMs } : {}),
    ...(options.relay?.backoff ? { backoff: options.relay.backoff } : {}),
  });
  const setup = new AbortController();
  // The producer never creates topics: until they exist publishing fails and the relay backs off.
  const topicsReady = ensureTopicsUntilDone(kafka, specs, setup.signal, relayLogger, options.relay?.backoff);
  // The relay retries the broker and its store itself; it ends on its own only on an event it cannot
  // publish or a failed start (its checkpoint store), and then the supervisor starts it again.
  const loop = new SupervisedLoop({
    name: 'relay',
    backoff: options.restartBackoff,
    logger: relayLogger,
    run: (signal) =>
      superviseStartStop(signal, {
        start: () => relay.start(),
        stop: () => relay.stop(),
        ended: () => {
          const s = relay.status();
          return s.state === 'failed' || s.state === 'stopped' ? s.lastError : undefined;
        },
      }),
  });
  loop.start();
  return {
    name: 'relay',
    status: async () => {
      const s = relay.status();
      const l = loop.status();
      return {
        name: 'relay',
        position: s.position,
        eventsPerSecond: s.eventsPerSecond,
        // A standby relay is healthy: another relay holds the lease and publishes.
        healthy: (s.state === 'running' || s.state === 'standby') && l.state === 'running',
        state: l.state,
        restarts: l.restarts,
        lag: s.lag,
        lastError: s.lastError ?? l.lastError,
      };
    },
    stop: async () => {
      setup.abort();
      await topicsReady;
      await loop.stop();
      await Promise.allSettled([publisher.close(), checkpoints.close()]);
    },
  };
}

/** A kafkajs client with the configured brokers, TLS and SASL (KAFKA_*). */
function kafkaClient(
  runtime: SanksiRuntime,
  clientId: string,
  logger?: Logger,
): ReturnType<typeof createKafka> {
  return createKafka(runtime.config.kafka?.brokers ?? [], {
    clientId,
    ...(logger ? { logger: kafkaJsLogger(logger) } : {}),
    ...kafkaSecurity(runtime.config.kafka),
  });
}

/**
 * kafkajs warns on every failed connection attempt; the relay and the consumer already log each
 * outage once per retry with the brokers and the next delay, so kafkajs's own lines go to debug.
 */
function kafkaJsLogger(logger: Logger): MessagingLogger {
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.debug(obj, msg),
    warn: (obj, msg) => logger.debug(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
}

async function ensureTopicsUntilDone(
  kafka: ReturnType<typeof createKafka>,
  specs: TopicSpec[],
  signal: AbortSignal,
  logger: Logger,
  backoff: { initialMs?: number; maxMs?: number } = {},
): Promise<void> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const report = await ensureTopics(kafka, specs);
      if (report.tooFewPartitions.length > 0) {
        logger.warn(
          { topics: report.tooFewPartitions },
          'topics have fewer partitions than configured; left as they are',
        );
      }
      logger.info({ created: report.created, existing: report.existing }, 'Kafka topics ready');
      return;
    } catch (e) {
      const delay = Math.min(
        backoff.maxMs ?? 30_000,
        (backoff.initialMs ?? 250) * 2 ** Math.min(attempt - 1, 16),
      );
      logger.error(
        { err: e, attempt, retryInMs: delay },
        'cannot set up Kafka topics: broker unavailable, retrying',
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done);
      });
    }
  }
}
