import { type SanksiRuntime, SupervisedLoop } from '@sanksi/application';
import {
  type CheckpointStore,
  type createKafka,
  KafkaRelay,
  type MessagePublisher,
  TRAFFIC_EVENT_SOURCE,
  TRAFFIC_OBSERVATIONS_TOPIC,
  toTrafficObservationMessage,
  trafficTopics,
} from '@sanksi/messaging';
import type { Logger } from 'pino';
import type { WorkerOptions, WorkerStatus } from '../worker-loop';
import { ensureTopicsUntilDone, superviseStartStop } from './kafka-loop.support';

/** The traffic relay beside the case-event relay: its status and its stop. */
export interface RunningTrafficRelay {
  relay: KafkaRelay;
  /** Its own worker status (`traffic-relay`), reported beside the relay's for readiness and `/metrics`. */
  status(): WorkerStatus;
  stop(): Promise<void>;
}

/**
 * Relays the traffic streams (category `traffic`) to `sanksi.traffic-observations.v1`, keyed by domain,
 * from its own checkpoint (`kafka-relay:sanksi.traffic-observations.v1`), under its own supervisor; it
 * shares the case relay's producer and checkpoint store and creates the traffic topics.
 */
export function startTrafficRelay(deps: {
  runtime: SanksiRuntime;
  kafka: ReturnType<typeof createKafka>;
  publisher: MessagePublisher;
  checkpoints: CheckpointStore;
  logger: Logger;
  options: WorkerOptions;
}): RunningTrafficRelay {
  const { runtime, kafka, publisher, checkpoints, options } = deps;
  const logger = deps.logger.child({ relay: 'traffic' });
  const relay = new KafkaRelay({
    store: runtime.eventStore,
    publisher,
    checkpoints,
    logger,
    topic: TRAFFIC_OBSERVATIONS_TOPIC,
    category: 'traffic',
    source: TRAFFIC_EVENT_SOURCE,
    toMessage: toTrafficObservationMessage,
    ...(options.relay?.pollIntervalMs ? { pollIntervalMs: options.relay.pollIntervalMs } : {}),
    ...(options.relay?.backoff ? { backoff: options.relay.backoff } : {}),
  });
  const setup = new AbortController();
  const topicsReady = ensureTopicsUntilDone(
    kafka,
    trafficTopics({
      replicationFactor: runtime.config.kafka?.replicationFactor,
      minInsyncReplicas: runtime.config.kafka?.minInsyncReplicas,
    }),
    setup.signal,
    logger,
    options.relay?.backoff,
  );
  const loop = new SupervisedLoop({
    name: 'traffic-relay',
    backoff: options.restartBackoff,
    logger,
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
    relay,
    status() {
      const s = relay.status();
      const l = loop.status();
      return {
        name: 'traffic-relay',
        position: s.position,
        eventsPerSecond: s.eventsPerSecond,
        // As the case relay: a standby relay is healthy, another one holds the lease and publishes.
        healthy: (s.state === 'running' || s.state === 'standby') && l.state === 'running',
        state: l.state,
        restarts: l.restarts,
        lag: s.lag,
        lastError: s.lastError ?? l.lastError,
      };
    },
    async stop() {
      setup.abort();
      await topicsReady;
      await loop.stop();
    },
  };
}
