import { CaseState, Instant } from '@sanksi/domain';
import { z } from 'zod';
import { responseSchema } from './openapi-components';

// Answers of the feeds, statistics and operations routes, as the controllers shape them from the read
// models (libs/read-models/src/store/read-model-store.port.ts) and the event store.

const Cursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass back as `cursor` for the next page; null on the last' });
const Wib = z.string().meta({ description: 'An instant in WIB (+07:00)' });
// A listing names a host name under `domain`, or a public IP address under `ip` (a case blocked by IP,
// docs/decisions/0007) — never both.
const ListedAddress = z.union([
  z.object({ domain: z.string().meta({ description: 'A blocked host name (A-labels, lower case)' }) }),
  z.object({ ip: z.string().meta({ description: 'A blocked public IPv4 or IPv6 address' }) }),
]);

export const BlocklistRef = responseSchema(
  'Blocklist',
  z
    .object({
      position: z.number().int().meta({ description: 'The change-feed position this list is as of' }),
      entries: z.array(z.intersection(ListedAddress, z.object({ pseId: z.string(), since: Wib }))),
    })
    .meta({
      example: {
        position: 12,
        entries: [
          { domain: 'shop.example', pseId: 'shop', since: '2022-07-30T09:00:00+07:00' },
          { ip: '13.227.254.72', pseId: 'bank-app', since: '2022-07-30T09:00:00+07:00' },
        ],
      },
    }),
);

export const BlocklistChangesRef = responseSchema(
  'BlocklistChanges',
  z.object({
    after: z.number().int(),
    position: z.number().int().meta({ description: 'Poll again with `after` set to this' }),
    changes: z.array(
      z.intersection(
        ListedAddress,
        z.object({
          position: z.number().int(),
          pseId: z.string(),
          action: z.enum(['add', 'remove']),
          at: Wib,
        }),
      ),
    ),
  }),
);

/** One stored event as the feeds publish it (the Kafka message body, with its global position). */
export const FeedEvent = z.looseObject({
  eventId: z.string(),
  type: z.string(),
  schemaVersion: z.number().int(),
  pseId: z.string(),
  data: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
  recordedAt: z.string(),
  revision: z.number().int(),
  position: z.number().int(),
  hash: z.string().nullable(),
});

export const EventFeedRef = responseSchema(
  'EventFeed',
  z.object({ after: z.number().int(), position: z.number().int(), events: z.array(FeedEvent) }),
);
responseSchema('FeedEvent', FeedEvent);

export const EventSchemasRef = responseSchema(
  'EventSchemas',
  z.object({
    version: z.string(),
    schemas: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .meta({ description: 'JSON Schema (2020-12) per event type' }),
  }),
);

export const TransitionsRef = responseSchema(
  'TransitionsPerDay',
  z.object({
    from: z.string(),
    to: z.string(),
    days: z.array(
      z.object({ date: z.string(), fromState: z.string(), toState: z.string(), count: z.number().int() }),
    ),
  }),
);

export const FinesPerMonthRef = responseSchema(
  'FinesPerMonth',
  z.object({
    months: z.array(
      z.object({
        month: z.string(),
        imposedCount: z.number().int(),
        imposedIdr: z.number().int(),
        paidCount: z.number().int(),
        paidIdr: z.number().int(),
        annulledCount: z.number().int(),
        annulledIdr: z.number().int(),
      }),
    ),
  }),
);

export const WarningToRegistrationRef = responseSchema(
  'WarningToRegistration',
  z.object({
    registered: z.number().int(),
    pending: z.number().int(),
    medianDays: z.number().nullable(),
    averageDays: z.number().nullable(),
    nextCursor: Cursor,
    cases: z.array(
      z.object({
        pseId: z.string(),
        warnedAt: z.string(),
        submittedAt: z.string().nullable(),
        registeredAt: z.string().nullable(),
        days: z.number().nullable(),
      }),
    ),
  }),
);

export const DueDeadlinesRef = responseSchema(
  'DueDeadlines',
  z.object({
    before: Instant,
    deadlines: z.array(
      z.object({
        pseId: z.string(),
        name: z.string(),
        kind: z.string(),
        dueAt: z.string(),
        fineId: z.string().nullable(),
        caseState: z.string(),
      }),
    ),
    nextCursor: Cursor,
  }),
);

export const EscalationQueueRef = responseSchema(
  'EscalationQueue',
  z.object({
    entries: z.array(
      z.object({
        pseId: z.string(),
        name: z.string(),
        state: z.string(),
        substate: z.string().nullable(),
        since: z.string().nullable(),
        allowed: z.array(z.string()),
        visits: z.number().nullable(),
        rank: z.number().nullable(),
      }),
    ),
    nextCursor: Cursor,
  }),
);

export const DiscoveryRef = responseSchema(
  'Discovery',
  z.object({
    candidates: z.array(
      z.object({
        domain: z.string(),
        period: z.string(),
        visits: z.number().nullable(),
        rank: z.number().nullable(),
      }),
    ),
    openCasesByTraffic: z.array(
      z.object({
        pseId: z.string(),
        name: z.string(),
        state: z.string(),
        visits: z.number().nullable(),
        rank: z.number().nullable(),
        period: z.string(),
      }),
    ),
  }),
);

export const RegistryRef = responseSchema(
  'Registry',
  z.object({
    items: z.array(
      z.looseObject({ registrationNumber: z.string(), name: z.string(), registeredAt: Wib, updatedAt: Wib }),
    ),
    nextCursor: Cursor,
  }),
);

export const StateCountsRef = responseSchema(
  'StateCounts',
  z.object({
    asOf: z.string(),
    knownAt: z.string().nullable(),
    counts: z.record(CaseState, z.number().int()),
    total: z.number().int(),
  }),
);

export const PublicKeyRef = responseSchema(
  'EvidencePublicKey',
  z.object({
    algorithm: z.literal('Ed25519'),
    publicKey: z.string().meta({ description: 'base64 DER SPKI' }),
  }),
);

export const LivenessRef = responseSchema('Liveness', z.object({ status: z.literal('ok') }));

export const ReadinessRef = responseSchema(
  'Readiness',
  z.object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.array(
      z.looseObject({
        name: z.string(),
        status: z.enum(['ok', 'failing', 'stopped', 'lagging', 'catching-up']),
        restarts: z.number().int().optional(),
        lag: z.number().optional(),
        maxLag: z.number().optional(),
      }),
    ),
  }),
);
