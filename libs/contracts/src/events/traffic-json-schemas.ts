import { TrafficObservationInput, TrafficObserved } from '@sanksi/domain';
import { z } from 'zod';

const SCHEMA_BASE = 'https://sanksi.dev/schemas/traffic/v1/';

/** The body of a message on `sanksi.traffic-observations.v1`: one recorded observation and its log position. */
export const TrafficObservedMessageBody = TrafficObserved.extend({
  eventId: z.string().min(1),
  type: z.literal('TrafficObserved'),
  recordedAt: z.string().min(1),
  position: z.number().int().positive(),
});
export type TrafficObservedMessageBody = z.infer<typeof TrafficObservedMessageBody>;

const jsonSchema = (id: string, title: string, schema: z.ZodType, io: 'input' | 'output') => ({
  $id: `${SCHEMA_BASE}${id}`,
  title,
  ...z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }),
});

/** The published traffic schemas, keyed by their file name under `libs/contracts/schemas/traffic/`. */
export function trafficJsonSchemas(): Record<string, Record<string, unknown>> {
  return {
    // Outbound: what the relay publishes of each TrafficObserved event.
    'TrafficObserved.v1.json': jsonSchema(
      'TrafficObserved.json',
      'TrafficObserved',
      TrafficObservedMessageBody,
      'output',
    ),
    // Inbound: what a producer sends on traffic.observations.v1 (and each item of the HTTP JSON body).
    'traffic-observation.v1.json': jsonSchema(
      'traffic-observation.json',
      'TrafficObservation',
      TrafficObservationInput,
      'input',
    ),
  };
}
