/** Every domain event of every case, keyed by pseId, CloudEvents binary mode, JSON body. */
export const CASE_EVENTS_TOPIC = 'sanksi.case-events.v1';
/** Inbound: registrations confirmed by OSS (consumed elsewhere, declared here so topics are created together). */
export const OSS_REGISTRATIONS_TOPIC = 'oss.registrations.v1';
/** Inbound messages that could not be turned into a command, kept for an operator. */
export const OSS_REGISTRATIONS_DLQ = 'oss.registrations.v1.dlq';

/** A topic the project creates, with its partition count and broker-side settings. */
export interface TopicSpec {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
  configEntries?: Array<{ name: string; value: string }>;
}

/** Partitions and replication of the project's topics; the defaults suit one local broker. */
export interface TopicLayout {
  caseEventsPartitions?: number;
  ossRegistrationsPartitions?: number;
  replicationFactor?: number;
  /** `min.insync.replicas` of every topic (default: 2 with replicas to spare, else 1); at most `replicationFactor`. */
  minInsyncReplicas?: number;
}

/** The project's topics with their configured partitions (case events: 6; OSS: 3; DLQ: 1). */
export function projectTopics(layout: TopicLayout = {}): TopicSpec[] {
  const replicationFactor = layout.replicationFactor ?? 1;
  // With more than one replica, acks=all only means something if a second copy must exist.
  const minInsync = Math.min(layout.minInsyncReplicas ?? Math.min(2, replicationFactor), replicationFactor);
  const minIsr = [{ name: 'min.insync.replicas', value: String(minInsync) }];
  return [
    {
      topic: CASE_EVENTS_TOPIC,
      numPartitions: layout.caseEventsPartitions ?? 6,
      replicationFactor,
      // The event log is the source of truth and can be replayed: Kafka keeps a long window, not forever.
      configEntries: [...minIsr, { name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }],
    },
    {
      topic: OSS_REGISTRATIONS_TOPIC,
      numPartitions: layout.ossRegistrationsPartitions ?? 3,
      replicationFactor,
      // The broker stamps each message with its append time, which a producer cannot choose: the
      // consumer checks the signature's timestamp against it (docs/decisions/0005).
      configEntries: [...minIsr, { name: 'message.timestamp.type', value: 'LogAppendTime' }],
    },
    { topic: OSS_REGISTRATIONS_DLQ, numPartitions: 1, replicationFactor, configEntries: minIsr },
  ];
}
