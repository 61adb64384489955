import { CaseState } from '@sanksi/domain';
import { z } from 'zod';
import { responseSchema } from './openapi-components';

// Answers of the analysts' series routes (apps/api/src/stats/stats-series.controller.ts), as the
// controller shapes them from the read models' daily series (libs/read-models/src/store/daily-series.ts).

const BusinessDate = z.string().meta({ description: 'A business date, YYYY-MM-DD (WIB)' });
const KnownAt = z.string().nullable().meta({
  description: 'The record-time bound as asked (a date, or an instant in WIB); null: everything recorded',
});

export const StateCountsDailyRef = responseSchema(
  'StateCountsDaily',
  z
    .object({
      from: BusinessDate,
      to: BusinessDate,
      knownAt: KnownAt,
      days: z.array(
        z.object({
          date: BusinessDate,
          counts: z.record(CaseState, z.number().int()),
          total: z.number().int(),
        }),
      ),
    })
    .meta({
      example: {
        from: '2022-07-30',
        to: '2022-07-31',
        knownAt: null,
        days: [
          {
            date: '2022-07-30',
            counts: {
              unregistered: 0,
              registrationPending: 0,
              registered: 1,
              warned: 1,
              fined: 0,
              blocked: 2,
              reRegistered: 0,
              suspended: 0,
              revoked: 0,
              exempted: 0,
            },
            total: 4,
          },
          {
            date: '2022-07-31',
            counts: {
              unregistered: 0,
              registrationPending: 0,
              registered: 1,
              warned: 1,
              fined: 0,
              blocked: 1,
              reRegistered: 0,
              suspended: 0,
              revoked: 0,
              exempted: 1,
            },
            total: 4,
          },
        ],
      },
    }),
);

export const BlocklistDailyRef = responseSchema(
  'BlocklistDaily',
  z
    .object({
      from: BusinessDate,
      to: BusinessDate,
      knownAt: KnownAt,
      days: z.array(
        z.object({
          date: BusinessDate,
          size: z.number().int().meta({ description: 'Listed (domain, case) pairs at the end of the date' }),
          added: z.number().int(),
          removed: z.number().int(),
        }),
      ),
    })
    .meta({
      example: {
        from: '2022-07-29',
        to: '2022-07-30',
        knownAt: null,
        days: [
          { date: '2022-07-29', size: 0, added: 0, removed: 0 },
          { date: '2022-07-30', size: 3, added: 3, removed: 0 },
        ],
      },
    }),
);

export const LatestBlocklistChangesRef = responseSchema(
  'LatestBlocklistChanges',
  z.object({
    changes: z.array(
      z.object({
        position: z.number().int(),
        domain: z.string(),
        pseId: z.string(),
        action: z.enum(['add', 'remove']),
        at: z.string().meta({ description: 'Business time of the change, in WIB (+07:00)' }),
      }),
    ),
  }),
);

export const WarningToRegistrationDaysRef = responseSchema(
  'WarningToRegistrationDays',
  z.object({
    registered: z.number().int(),
    pending: z.number().int(),
    medianDays: z.number().nullable(),
    averageDays: z.number().nullable(),
    buckets: z.array(
      z.object({
        days: z
          .number()
          .int()
          .meta({ description: 'Whole days from first warning to registration (rounded down)' }),
        cases: z.number().int(),
      }),
    ),
  }),
);
