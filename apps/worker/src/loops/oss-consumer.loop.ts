import { Injectable } from '@nestjs/common';
import {
  kafkaSecurity,
  OssRegistrationConsumer,
  type SanksiRuntime,
  SupervisedLoop,
} from '@sanksi/application';
import { verifyKafkaCredentials } from '@sanksi/messaging';
import { type RunningLoop, WorkerLoop } from '../worker-loop';
import { kafkaClient, superviseStartStop } from './kafka-loop.support';

/** The OSS registration consumer: applies `oss.registrations.v1`, dead-letters what never can be. */
@Injectable()
export class OssConsumerLoop extends WorkerLoop {
  readonly name = 'oss-consumer' as const;

  /** Starts consuming; null without `KAFKA_BROKERS`; throws on SASL credentials the broker refuses. */
  async start(): Promise<RunningLoop | null> {
    const { runtime, options, supervisor } = this.context;
    const kafkaConfig = runtime.config.kafka;
    if (!kafkaConfig) {
      supervisor.logger.warn({ module: this.name }, 'oss-consumer not started: KAFKA_BROKERS is not set');
      return null;
    }
    // Refused SASL credentials are a configuration error: fail the start rather than retry forever.
    if (kafkaConfig.sasl) await verifyKafkaCredentials(kafkaClient(runtime, 'sanksi-oss-consumer'));
    const onOutcome = options.oss?.onOutcome;
    const consumer = new OssRegistrationConsumer(runtime, {
      ...options.oss,
      brokers: kafkaConfig.brokers,
      security: kafkaSecurity(kafkaConfig),
      onOutcome: (outcome, message) => {
        runtime.metrics.ossSettled(outcome.kind, outcome.kind === 'dead-letter' ? outcome.reason : undefined);
        onOutcome?.(outcome, message);
      },
    });
    // The consumer retries the broker itself; the supervisor restarts it should its loop ever end.
    const loop = new SupervisedLoop({
      name: this.name,
      backoff: options.restartBackoff,
      logger: supervisor.logger.child({ module: this.name }),
      run: (signal) =>
        superviseStartStop(signal, {
          start: () => consumer.start(),
          stop: () => consumer.stop(),
          ended: () => (consumer.status().state === 'stopped' ? consumer.status().lastError : undefined),
        }),
    });
    loop.start();
    const dlqSize = measureDlqSize(runtime, consumer.status().dlqTopic, options.dlqSizeIntervalMs);
    return {
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
      stop: async () => {
        await dlqSize.stop();
        await loop.stop();
      },
    };
  }
}

/**
 * Measures the dead-letter topic's size now and then (the sum over partitions of high minus low
 * watermark) into `sanksi_oss_dlq_messages`. A broker away only leaves the last figure in place: the
 * consumer's own status says it is unreachable.
 */
function measureDlqSize(
  runtime: SanksiRuntime,
  topic: string,
  intervalMs = 30_000,
): { stop(): Promise<void> } {
  const logger = runtime.logger.child({ module: 'oss-consumer', measure: 'dlq-size' });
  const kafka = kafkaClient(runtime, 'sanksi-oss-dlq-size', logger);
  let inFlight: Promise<void> = Promise.resolve();
  const measure = async (): Promise<void> => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      const messages = offsets.reduce((sum, o) => sum + (Number(o.high) - Number(o.low)), 0);
      runtime.metrics.dlqSize(topic, messages);
    } catch (e) {
      logger.debug({ err: e, topic }, 'dead-letter topic size not measured');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  const timer = setInterval(() => {
    inFlight = inFlight.then(measure);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
