import { kafkaSecurity, type SanksiRuntime } from '@sanksi/application';
import { createKafka, ensureTopics, type MessagingLogger, type TopicSpec } from '@sanksi/messaging';
import type { Logger } from 'pino';

/** A kafkajs client with the configured brokers, TLS and SASL (KAFKA_*). */
export function kafkaClient(
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
export async function superviseStartStop(
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
      await abortableDelay(pollMs, signal);
      if (signal.aborted) return;
      const ended = worker.ended();
      if (ended !== undefined) throw new WorkerLoopEnded(ended);
    }
  } finally {
    await worker.stop();
  }
}

/** Creates the topics, retrying with backoff while the broker is away, until done or aborted. */
export async function ensureTopicsUntilDone(
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
      await abortableDelay(delay, signal);
    }
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
