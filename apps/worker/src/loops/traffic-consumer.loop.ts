import { Injectable } from '@nestjs/common';
import { kafkaSecurity, SupervisedLoop, TrafficObservationConsumer } from '@sanksi/application';
import { verifyKafkaCredentials } from '@sanksi/messaging';
import { type RunningLoop, WorkerLoop } from '../worker-loop';
import { kafkaClient, superviseStartStop } from './kafka-loop.support';

/** The traffic consumer: records `traffic.observations.v1` as facts, dead-letters what is not an observation. */
@Injectable()
export class TrafficConsumerLoop extends WorkerLoop {
  readonly name = 'traffic-consumer' as const;

  /** Starts consuming; null without `KAFKA_BROKERS`; throws on SASL credentials the broker refuses. */
  async start(): Promise<RunningLoop | null> {
    const { runtime, options, supervisor } = this.context;
    const kafkaConfig = runtime.config.kafka;
    if (!kafkaConfig) {
      supervisor.logger.warn({ module: this.name }, 'traffic-consumer not started: KAFKA_BROKERS is not set');
      return null;
    }
    if (kafkaConfig.sasl) await verifyKafkaCredentials(kafkaClient(runtime, 'sanksi-traffic-consumer'));
    const consumer = new TrafficObservationConsumer(runtime, {
      brokers: kafkaConfig.brokers,
      security: kafkaSecurity(kafkaConfig),
    });
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
    return {
      status: async () => {
        const s = consumer.status();
        const l = loop.status();
        return {
          name: this.name,
          position: s.recorded + s.duplicates + s.deadLettered,
          eventsPerSecond: 0,
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
}
