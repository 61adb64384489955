import type { Sanction } from '../policies/policy';
import {
  emptyContext,
  fineOutstanding,
  withDeadline,
  withoutDeadline,
  type PseCaseContext,
} from './pse-case.context';
import type { PseCaseEventEnvelope } from './pse-case.events';

export {
  emptyContext,
  fineOutstanding,
  wasSanctioned,
  type FineRecord,
  type PseCaseContext,
} from './pse-case.context';

const rank: Record<Sanction, number> = { warning: 0, fine: 1, block: 2 };
const higher = (a: Sanction | null, b: Sanction): Sanction => (a !== null && rank[a] >= rank[b] ? a : b);
const idle = { pending: false, allowed: [] as string[] };

/** What an event does to the case's memory regardless of the state it happens in. */
export function applyEvent(context: PseCaseContext, event: PseCaseEventEnvelope): PseCaseContext {
  const next = applyData(context, event);
  // applyData copies the context for every event that changes it: that copy is this event's own, so it
  // takes the event's position in place rather than being copied a second time.
  if (next === context)
    return { ...next, lastOccurredAt: event.occurredAt, lastHash: event.hash, revision: event.revision };
  next.lastOccurredAt = event.occurredAt;
  next.lastHash = event.hash;
  next.revision = event.revision;
  return next;
}

function applyData(context: PseCaseContext, event: PseCaseEventEnvelope): PseCaseContext {
  switch (event.type) {
    case 'PseIdentified': {
      const d = event.data;
      return {
        ...emptyContext(),
        pseId: event.pseId,
        name: d.name,
        origin: d.origin,
        domains: [...d.domains],
        ...(d.appIds?.length ? { appIds: [...d.appIds] } : {}),
        ...(d.ipAddresses?.length ? { ipAddresses: [...d.ipAddresses] } : {}),
        company: d.company,
        sector: d.sector,
        policyVersion: d.policy,
        since: event.occurredAt,
      };
    }
    case 'PseProfileUpdated': {
      const d = event.data;
      return {
        ...context,
        name: d.name ?? context.name,
        domains: d.domains ? [...d.domains] : context.domains,
        appIds: d.appIds ? [...d.appIds] : context.appIds,
        ipAddresses: d.ipAddresses ? [...d.ipAddresses] : context.ipAddresses,
        company: d.company !== undefined ? d.company : context.company,
        sector: d.sector !== undefined ? d.sector : context.sector,
      };
    }
    case 'RegistrationSubmitted': {
      const deadlines = withoutDeadline(context.deadlines, 'warningResponse');
      return {
        ...context,
        pendingSubmission: event.data.channel,
        escalation: idle,
        deadlines: event.data.followUpDeadline
          ? withDeadline(deadlines, {
              kind: 'manualRegistrationFollowUp',
              dueAt: event.data.followUpDeadline,
              fineId: null,
            })
          : deadlines,
      };
    }
    case 'RegistrationConfirmed':
      return {
        ...context,
        registrationNumber: event.data.registrationNumber,
        pendingSubmission: null,
        restoredOnSubmission: false,
        escalation: idle,
        deadlines: context.deadlines.filter((d) => d.kind === 'finePayment'),
      };
    case 'RegistrationRejected':
      return {
        ...context,
        lastElapsed: null,
        pendingSubmission: null,
        restoredOnSubmission: false,
        deadlines: withoutDeadline(context.deadlines, 'manualRegistrationFollowUp'),
      };
    case 'WarningIssued':
      return {
        ...context,
        warnings: context.warnings + 1,
        highestSanction: higher(context.highestSanction, 'warning'),
        escalation: idle,
        deadlines: withDeadline(context.deadlines, {
          kind: 'warningResponse',
          dueAt: event.data.responseDeadline,
          fineId: null,
        }),
      };
    case 'FineImposed': {
      const d = event.data;
      return {
        ...context,
        fines: {
          ...context.fines,
          [d.fineId]: {
            fineId: d.fineId,
            decisionNumber: d.decisionNumber,
            amountIdr: d.amountIdr,
            paidIdr: 0,
            annulledIdr: 0,
            annulled: false,
            overdue: false,
          },
        },
        fineCount: context.fineCount + 1,
        highestSanction: higher(context.highestSanction, 'fine'),
        escalation: idle,
        deadlines: withDeadline(withoutDeadline(context.deadlines, 'warningResponse'), {
          kind: 'finePayment',
          dueAt: d.paymentDeadline,
          fineId: d.fineId,
        }),
      };
    }
    case 'FinePaid': {
      const fine = context.fines[event.data.fineId];
      if (!fine) return context;
      const paid = { ...fine, paidIdr: fine.paidIdr + event.data.amountIdr };
      return {
        ...context,
        fines: { ...context.fines, [fine.fineId]: paid },
        deadlines:
          fineOutstanding(paid) === 0
            ? withoutDeadline(context.deadlines, 'finePayment', fine.fineId)
            : context.deadlines,
      };
    }
    case 'FineAnnulled': {
      const fine = context.fines[event.data.fineId];
      if (!fine) return context;
      const annulled = { ...fine, annulled: true, annulledIdr: fine.amountIdr - fine.paidIdr };
      return {
        ...context,
        fines: { ...context.fines, [fine.fineId]: annulled },
        deadlines: withoutDeadline(context.deadlines, 'finePayment', fine.fineId),
      };
    }
    case 'AccessBlocked':
      return {
        ...context,
        highestSanction: 'block',
        restoredOnSubmission: false,
        escalation: idle,
        deadlines: context.deadlines.filter((d) => d.kind === 'finePayment'),
      };
    case 'AccessTemporarilyRestored':
      return {
        ...context,
        deadlines: withDeadline(context.deadlines, {
          kind: 'temporaryRestoration',
          dueAt: event.data.until,
          fineId: null,
        }),
      };
    case 'AccessRestored':
      return {
        ...context,
        restoredOnSubmission: event.data.cause === 'submission',
        escalation: idle,
        deadlines: withoutDeadline(
          withoutDeadline(context.deadlines, 'temporaryRestoration'),
          'normalisationRequest',
        ),
      };
    case 'NormalisationRequested':
      return {
        ...context,
        deadlines: withDeadline(context.deadlines, {
          kind: 'normalisationRequest',
          dueAt: event.data.answerDeadline,
          fineId: null,
        }),
      };
    case 'NormalisationRefused':
      return {
        ...context,
        escalation: idle,
        deadlines: withoutDeadline(context.deadlines, 'normalisationRequest'),
      };
    case 'RegistrationSuspended':
      return {
        ...context,
        deadlines: withDeadline(context.deadlines, {
          kind: 'suspensionResponse',
          dueAt: event.data.responseDeadline,
          fineId: null,
        }),
      };
    case 'SuspensionLifted':
      return {
        ...context,
        escalation: idle,
        deadlines: withoutDeadline(context.deadlines, 'suspensionResponse'),
      };
    case 'RegistrationRevoked':
      return {
        ...context,
        registrationNumber: null,
        escalation: idle,
        deadlines: withoutDeadline(context.deadlines, 'suspensionResponse'),
      };
    case 'ExemptionGranted':
      return {
        ...context,
        pendingSubmission: null,
        restoredOnSubmission: false,
        escalation: idle,
        deadlines: context.deadlines.filter((d) => d.kind === 'finePayment'),
      };
    case 'DeadlineElapsed': {
      const d = event.data;
      const deadlines = withoutDeadline(context.deadlines, d.deadline, d.fineId);
      const fine = d.fineId ? context.fines[d.fineId] : undefined;
      // A manual registration not followed up in OSS lapses with its deadline.
      const lapsed = d.deadline === 'manualRegistrationFollowUp';
      return {
        ...context,
        lastElapsed: d.deadline,
        pendingSubmission: lapsed ? null : context.pendingSubmission,
        restoredOnSubmission: lapsed ? false : context.restoredOnSubmission,
        deadlines,
        fines: fine ? { ...context.fines, [fine.fineId]: { ...fine, overdue: true } } : context.fines,
      };
    }
    case 'PolicyMigrated':
      return { ...context, policyVersion: event.data.to };
    case 'ConsequencesRetracted':
      // Rewinding needs the earlier snapshot: `foldCase` does it; the machine never sees this event.
      return context;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
