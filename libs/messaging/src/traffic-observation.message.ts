import type { RecordedEvent } from '@sanksi/event-store';
import type { OutboundMessage } from './case-event.message';
import { buildCloudEventHeaders } from './cloud-events.headers';
import { RelayEventInvalid } from './messaging.errors';
import type { TopicSpec } from './topics.constants';

/** Outbound: every `TrafficObserved` fact of the log, keyed by domain (docs/kafka.md). */
export const TRAFFIC_OBSERVATIONS_TOPIC = 'sanksi.traffic-observations.v1';
/** Inbound: observations from monitoring tools, one JSON object per message (schemas/traffic/traffic-observation.v1.json). */
export const TRAFFIC_INBOUND_TOPIC = 'traffic.observations.v1';
/** Inbound messages that are not a valid observation, kept with the reason for an operator. */
export const TRAFFIC_INBOUND_DLQ = 'traffic.observations.v1.dlq';
/** `ce_source` of the relayed traffic facts. */
export const TRAFFIC_EVENT_SOURCE = '/sanksi/traffic';
/** `ce_type` of a relayed traffic fact. */
export const TRAFFIC_OBSERVED_CE_TYPE = 'sanksi.traffic.TrafficObserved';
/** `ce_dataschema` of a relayed traffic fact (libs/contracts/schemas/traffic/TrafficObserved.v1.json). */
export const TRAFFIC_OBSERVED_SCHEMA = 'https://sanksi.dev/schemas/traffic/v1/TrafficObserved.json';

/** The traffic topics with their partitions: outbound 6 (by domain), inbound 3, its DLQ 1. */
export function trafficTopics(
  layout: { replicationFactor?: number; minInsyncReplicas?: number } = {},
): TopicSpec[] {
  const replicationFactor = layout.replicationFactor ?? 1;
  const minIsr = String(Math.min(layout.minInsyncReplicas ?? 2, replicationFactor));
  const configEntries = [{ name: 'min.insync.replicas', value: minIsr }];
  return [
    { topic: TRAFFIC_OBSERVATIONS_TOPIC, numPartitions: 6, replicationFactor, configEntries },
    { topic: TRAFFIC_INBOUND_TOPIC, numPartitions: 3, replicationFactor, configEntries },
    { topic: TRAFFIC_INBOUND_DLQ, numPartitions: 1, replicationFactor, configEntries },
  ];
}

/**
 * The message of one stored `TrafficObserved` event on `sanksi.traffic-observations.v1`: keyed by the
 * domain (all observations of a domain in order), CloudEvents headers, the fact and its position as JSON.
 */
export function toTrafficObservationMessage(
  event: RecordedEvent,
  source: string = TRAFFIC_EVENT_SOURCE,
): OutboundMessage {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const domain = data['domain'];
  if (typeof domain !== 'string' || domain.length === 0) {
    throw new RelayEventInvalid({
      eventId: event.eventId,
      position: event.position,
      streamId: event.streamId,
      reason: 'data.domain must be a non-empty string',
    });
  }
  const recordedAt =
    typeof event.metadata['recordedAt'] === 'string' ? event.metadata['recordedAt'] : event.createdAt;
  const body = {
    eventId: event.eventId,
    type: event.type,
    domain,
    period: data['period'] ?? null,
    visits: data['visits'] ?? null,
    rank: data['rank'] ?? null,
    source: data['source'] ?? null,
    recordedAt,
    position: event.position,
  };
  const headers = buildCloudEventHeaders({
    id: event.eventId,
    source,
    type: TRAFFIC_OBSERVED_CE_TYPE,
    subject: domain,
    time: recordedAt,
    dataContentType: 'application/json',
    dataSchema: TRAFFIC_OBSERVED_SCHEMA,
  });
  return { key: domain, value: JSON.stringify(body), headers };
}
