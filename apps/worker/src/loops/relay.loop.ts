import { Injectable } from '@nestjs/common';
import { type SanksiRuntime, SupervisedLoop } from '@sanksi/application';
import {
  CASE_EVENTS_TOPIC,
  type CheckpointStore,
  KafkaJsPublisher,
  KafkaRelay,
  PostgresCheckpointStore,
  projectTopics,
  SqliteCheckpointStore,
  type TopicSpec,
  verifyKafkaCredentials,
} from '@sanksi/messaging';
import path from 'node:path';
import { type RunningLoop, WorkerLoop } from '../worker-loop';
import { ensureTopicsUntilDone, kafkaClient, superviseStartStop } from './kafka-loop.support';
import { startTrafficRelay } from './traffic-relay';

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

/** The Kafka relay: publishes the log after its checkpoint to `sanksi.case-events.v1`, supervised. */
@Injectable()
export class RelayLoop extends WorkerLoop {
  readonly name = 'relay' as const;

  /** Starts relaying; null without `KAFKA_BROKERS`; throws on SASL credentials the broker refuses. */
  async start(): Promise<RunningLoop | null> {
    const { runtime, options, supervisor } = this.context;
    const kafkaConfig = runtime.config.kafka;
    if (!kafkaConfig) {
      supervisor.logger.warn({ module: this.name }, 'relay not started: KAFKA_BROKERS is not set');
      return null;
    }
    const relayLogger = supervisor.logger.child({ module: 'relay' });
    const kafka = kafkaClient(runtime, 'sanksi-relay', relayLogger);
    if (kafkaConfig.sasl) await verifyKafkaCredentials(kafka);
    const publisher = new KafkaJsPublisher(kafka);
    const checkpoints = relayCheckpoints(runtime);
    const topics = projectTopics({
      caseEventsPartitions: kafkaConfig.partitions,
      replicationFactor: kafkaConfig.replicationFactor,
      minInsyncReplicas: kafkaConfig.minInsyncReplicas,
    });
    const caseEvents = topics.find((t) => t.topic === CASE_EVENTS_TOPIC) as TopicSpec;
    // The configured topic (SANKSI_CASE_EVENTS_TOPIC), unless a test hands the loop one of its own.
    const topic = options.relay?.topic ?? kafkaConfig.caseEventsTopic;
    const specs = options.relay?.topic
      ? [{ ...caseEvents, topic }]
      : topics.map((t) => (t.topic === CASE_EVENTS_TOPIC ? { ...caseEvents, topic } : t));
    const relay = new KafkaRelay({
      store: runtime.eventStore,
      publisher,
      checkpoints,
      logger: relayLogger,
      topic,
      ...(options.relay?.pollIntervalMs ? { pollIntervalMs: options.relay.pollIntervalMs } : {}),
      ...(options.relay?.backoff ? { backoff: options.relay.backoff } : {}),
    });
    const setup = new AbortController();
    // The producer never creates topics: until they exist publishing fails and the relay backs off.
    const topicsReady = ensureTopicsUntilDone(
      kafka,
      specs,
      setup.signal,
      relayLogger,
      options.relay?.backoff,
    );
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
    // The traffic facts go to their own topic from their own checkpoint (docs/kafka.md).
    const traffic = startTrafficRelay({
      runtime,
      kafka,
      publisher,
      checkpoints,
      logger: relayLogger,
      options,
    });
    return {
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
      companions: async () => [traffic.status()],
      stop: async () => {
        setup.abort();
        await topicsReady;
        await Promise.all([loop.stop(), traffic.stop()]);
        await Promise.allSettled([publisher.close(), checkpoints.close()]);
      },
    };
  }
}
