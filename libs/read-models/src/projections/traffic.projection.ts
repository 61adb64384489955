import { TRAFFIC_OBSERVED, TrafficObserved } from '@sanksi/domain';
import type { SourceEvent } from '../events/event-source.port';
import { ProjectionFailed } from '../read-model.errors';

/** The checkpoint of the traffic projection (its own: traffic streams are not case streams). */
export const TRAFFIC_CHECKPOINT = 'traffic-observations';

/** One row of `traffic_observations`: a `TrafficObserved` event, keyed by (domain, period, source). */
export interface TrafficObservationRow {
  domain: string;
  period: string;
  visits: number | null;
  rank: number | null;
  source: string;
  position: number;
}

/**
 * The row a recorded `TrafficObserved` event projects to, or null for another type in a traffic stream
 * (none today: a later type is skipped rather than stopping the projection). Throws `ProjectionFailed`
 * naming the event when its data does not parse.
 */
export function projectTrafficObservation(event: SourceEvent): TrafficObservationRow | null {
  if (event.type !== TRAFFIC_OBSERVED) return null;
  const parsed = TrafficObserved.safeParse(event.data);
  if (!parsed.success) {
    throw new ProjectionFailed({
      projection: 'traffic_observations',
      event: { eventId: event.eventId, type: event.type, position: event.position, streamId: event.streamId },
      reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
      cause: parsed.error,
    });
  }
  return { ...parsed.data, position: event.position };
}
