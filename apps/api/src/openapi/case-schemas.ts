import { EvidencePack } from '@sanksi/application';
import { CaseState, CaseStateAfter, PseCaseEventEnvelope, PseCaseEventTypeSchema } from '@sanksi/domain';
import { z } from 'zod';
import { responseSchema } from './openapi-components';

// Answers of the case routes. The event and evidence schemas are the domain's and the application's own;
// the views below mirror what the controllers shape (case-view.ts), checked against real answers by
// apps/api/src/openapi/openapi.e2e.spec.ts.

const Wib = z
  .string()
  .meta({ description: 'An instant in WIB (+07:00)', example: '2022-07-21T09:00:00+07:00' });

/** A case as `GET /v1/cases/{pseId}` and the list show it. */
export const CaseView = z
  .object({
    pseId: z.string(),
    name: z.string(),
    origin: z.enum(['domestic', 'foreign']),
    company: z.string().nullable(),
    sector: z.string().nullable(),
    domains: z.array(z.string()),
    appIds: z.array(z.string()).meta({ description: 'App-store ids of the case (issue 14 A)' }),
    ipAddresses: z.array(z.string()).meta({ description: 'IP addresses of the case (issue 14 A)' }),
    state: CaseState,
    substate: z.string().nullable(),
    since: Wib,
    onBlocklist: z.boolean(),
    registrationNumber: z.string().nullable(),
    warnings: z.number().int(),
    blocks: z.number().int(),
    fines: z.object({
      imposedIdr: z.number().int(),
      paidIdr: z.number().int(),
      annulledIdr: z.number().int(),
      outstandingIdr: z.number().int(),
    }),
    nextDeadline: z.object({ kind: z.string(), dueAt: Wib, fineId: z.string().nullable() }).nullable(),
    escalation: z.object({ pending: z.boolean(), allowed: z.array(z.string()), since: Wib.nullable() }),
    policy: z.string(),
    version: z.number().int().meta({ description: 'The case version: its ETag, and what If-Match names' }),
    openedAt: Wib,
    updatedAt: Wib,
  })
  .meta({
    example: {
      pseId: 'shop',
      name: 'Example Shop',
      origin: 'foreign',
      company: 'Example Shop Pte Ltd',
      sector: 'e-commerce',
      domains: ['shop.example'],
      appIds: [],
      ipAddresses: [],
      state: 'warned',
      substate: null,
      since: '2022-07-21T09:00:00+07:00',
      onBlocklist: false,
      registrationNumber: null,
      warnings: 1,
      blocks: 0,
      fines: { imposedIdr: 0, paidIdr: 0, annulledIdr: 0, outstandingIdr: 0 },
      nextDeadline: { kind: 'warningResponse', dueAt: '2022-07-29T23:59:59+07:00', fineId: null },
      escalation: { pending: false, allowed: [], since: null },
      policy: 'kominfo-2022',
      version: 2,
      openedAt: '2022-07-21T09:00:00+07:00',
      updatedAt: '2022-07-21T09:00:00+07:00',
    },
  });

/** A stored event: the envelope (who, when, hash chain, state after) with its type's payload. */
export const CaseEventRef = responseSchema('CaseEvent', PseCaseEventEnvelope);
responseSchema('CaseStateAfter', CaseStateAfter);

/** An event a command appended, by reference (the default answer of a command; docs/decisions/0011). */
export const AppendedEvent = z
  .object({
    eventId: z.string(),
    type: PseCaseEventTypeSchema,
    revision: z.number().int().meta({ description: 'Its place in the case stream (0 for the first event)' }),
    occurredAt: z.string().meta({ description: 'Its business time' }),
  })
  .meta({
    description:
      'An event the command appended, by reference: the whole event is in `GET /v1/cases/{pseId}/events`, or in this answer with `Prefer: return=representation`',
  });
responseSchema('AppendedEvent', AppendedEvent);

/** What every command answers: the case after the command, its next deadline and the events it appended. */
export const CommandAnswer = z
  .object({
    pseId: z.string(),
    version: z.number().int().meta({ description: 'The case version after the command (also the ETag)' }),
    state: CaseState,
    substate: z.string().nullable(),
    nextDeadline: CaseStateAfter.shape.nextDeadline.meta({
      description: "The case's next deadline after the command (a warning's response deadline, say), or null",
    }),
    events: z.array(z.union([AppendedEvent, PseCaseEventEnvelope])).meta({
      description:
        'The events this command appended (on an idempotent retry: those it appended the first time), oldest first: by reference (`AppendedEvent`), or whole (`CaseEvent`) with `Prefer: return=representation`',
    }),
  })
  .meta({
    example: {
      pseId: 'shop',
      version: 2,
      state: 'warned',
      substate: null,
      nextDeadline: { kind: 'warningResponse', dueAt: '2022-07-28T23:59:59+07:00', fineId: null },
      events: [
        {
          eventId: 'evt-2b1f0c9e',
          type: 'WarningIssued',
          revision: 1,
          occurredAt: '2022-07-21T09:00:00+07:00',
        },
      ],
    },
  });

/** The answer of `imposeFine`: a command answer naming the new fine. */
export const FineAnswer = CommandAnswer.extend({
  fineId: z.string().nullable().meta({ description: 'The id of the imposed fine (F1, F2, …)' }),
}).meta({
  example: {
    pseId: 'shop',
    version: 3,
    state: 'fined',
    substate: null,
    nextDeadline: { kind: 'finePayment', dueAt: '2022-08-25T23:59:59+07:00', fineId: 'F1' },
    events: [
      { eventId: 'evt-7c3d10aa', type: 'FineImposed', revision: 2, occurredAt: '2022-07-28T09:00:00+07:00' },
    ],
    fineId: 'F1',
  },
});

export const CaseViewRef = responseSchema('Case', CaseView);
export const CommandAnswerRef = responseSchema('CommandAnswer', CommandAnswer);
export const FineAnswerRef = responseSchema('FineAnswer', FineAnswer);

export const CaseListRef = responseSchema(
  'CaseList',
  z.object({
    items: z.array(CaseView),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: 'Pass back as `cursor` for the next page; null on the last' }),
  }),
);

export const CaseEventsRef = responseSchema(
  'CaseEvents',
  z.object({
    pseId: z.string(),
    version: z.number().int().meta({ description: 'The stream version: the count of stored events' }),
    view: z.enum(['log', 'effective']),
    events: z.array(PseCaseEventEnvelope),
  }),
);

export const CaseTimelineRef = responseSchema(
  'CaseTimeline',
  z.object({
    pseId: z.string(),
    entries: z.array(
      z.object({
        pseId: z.string(),
        revision: z.number().int(),
        position: z.number().int(),
        eventId: z.string(),
        eventType: PseCaseEventTypeSchema,
        occurredAt: z.string(),
        recordedAt: z.string(),
        actorId: z.string(),
        actorRole: z.string(),
        stateAfter: z.string(),
        substateAfter: z.string().nullable(),
        line: z.string().meta({ description: 'The event as one human-readable line' }),
      }),
    ),
  }),
);

export const CaseAsOfRef = responseSchema(
  'CaseAsOf',
  z.object({
    pseId: z.string(),
    asOf: z.string(),
    knownAt: z.string(),
    version: z.number().int().meta({ description: 'How many events the view folds' }),
    state: CaseState.nullable().meta({ description: 'null: the case did not exist yet' }),
    substate: z.string().nullable(),
    context: z
      .unknown()
      .meta({ description: 'The machine context at that point (fines, deadlines, counts)' }),
  }),
);

const ReplayTransition = z.object({
  from: z.string(),
  to: z.string(),
  eventType: z.string(),
  guards: z.array(z.string()),
  reason: z.string(),
  accepted: z.boolean(),
});

export const CaseReplayRef = responseSchema(
  'CaseReplay',
  z.object({
    pseId: z.string(),
    steps: z.array(
      z.object({
        index: z.number().int(),
        event: PseCaseEventEnvelope,
        stateBefore: CaseStateAfter.nullable(),
        stateAfter: CaseStateAfter,
        transition: ReplayTransition,
        matchesRecorded: z.boolean(),
      }),
    ),
  }),
);

export const EvidencePackRef = responseSchema('EvidencePack', EvidencePack);
