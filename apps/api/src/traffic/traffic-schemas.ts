import { TrafficObservationInput } from '@sanksi/domain';
import { z } from 'zod';
import { responseSchema } from '../openapi/openapi-components';

const Rejection = z.object({
  line: z.number().int().meta({ description: 'The CSV line (header is line 1) or the JSON item (from 1)' }),
  reason: z.string(),
});

/** What `POST /v1/traffic/observations` answers. */
export const TrafficIngestAnswer = z.object({
  rows: z.number().int(),
  recorded: z.number().int().meta({ description: 'New facts appended to the log' }),
  duplicates: z.number().int().meta({
    description:
      'Rows repeating a recorded (domain, period, source) with the same figure (a different figure is a rejected row)',
  }),
  rejected: z.number().int(),
  rejections: z.array(Rejection).meta({ description: 'The first 1,000 refused rows' }),
  streams: z.array(z.string()),
});

export const TrafficIngestAnswerRef = responseSchema('TrafficIngestAnswer', TrafficIngestAnswer);
export const TrafficObservationRef = responseSchema('TrafficObservation', TrafficObservationInput);

const Traffic = {
  visits: z.number().int().nullable(),
  rank: z.number().int().nullable(),
  sources: z.array(z.string()),
};

export const DiscoveryCandidatesRef = responseSchema(
  'DiscoveryCandidates',
  z.object({
    period: z.string().nullable().meta({ description: 'The period asked for; null: each domain’s latest' }),
    candidates: z.array(
      z.object({ rankInList: z.number().int(), domain: z.string(), period: z.string(), ...Traffic }),
    ),
  }),
);

export const CaseTrafficRef = responseSchema(
  'CaseTraffic',
  z.object({
    pseId: z.string(),
    points: z.array(z.object({ domain: z.string(), period: z.string(), ...Traffic })),
  }),
);
