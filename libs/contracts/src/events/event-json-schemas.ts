import { pseCaseEventEnvelopeSchemas, pseCaseEventTypes, type PseCaseEventType } from '@sanksi/domain';
import { z } from 'zod';

/** Version of the public event contract: the `v1` of `sanksi.case-events.v1`. */
export const EVENT_CONTRACT_VERSION = 'v1';

const SCHEMA_BASE = 'https://sanksi.dev/schemas/events/v1/';

/** The public message body of one event type: the envelope plus its global `position`. */
export function eventBodySchema(type: PseCaseEventType): z.ZodType {
  return pseCaseEventEnvelopeSchemas[type].extend({ position: z.number().int().positive() });
}

/** The JSON Schema (draft 2020-12) of one event type's public body, generated from its zod schema. */
export function eventJsonSchema(type: PseCaseEventType): Record<string, unknown> {
  return {
    $id: `${SCHEMA_BASE}${type}.json`,
    title: type,
    ...z.toJSONSchema(eventBodySchema(type), {
      target: 'draft-2020-12',
      io: 'output',
      unrepresentable: 'any',
    }),
  };
}

/** Every event type's JSON Schema, keyed by type: what `GET /v1/schemas/events` serves. */
export function eventJsonSchemas(): Record<PseCaseEventType, Record<string, unknown>> {
  return Object.fromEntries(pseCaseEventTypes.map((t) => [t, eventJsonSchema(t)])) as Record<
    PseCaseEventType,
    Record<string, unknown>
  >;
}

/** The committed file name of an event type's schema under `libs/contracts/schemas/`. */
export function eventSchemaFileName(type: PseCaseEventType): string {
  return `${type}.${EVENT_CONTRACT_VERSION}.json`;
}
