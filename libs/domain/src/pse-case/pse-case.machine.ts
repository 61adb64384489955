import { and, setup } from 'xstate';
import { getPolicy } from '../policies';
import type { Sanction } from '../policies/policy';
import { emptyContext, fineOutstanding, wasSanctioned, type PseCaseContext } from './pse-case.context';
import type { DeadlineKind, PseCaseEventEnvelope, RestorationCause } from './pse-case.events';
import {
  allowedSanctions,
  escalationCommands,
  isAfterRegistrationDeadline,
  type LadderPosition,
} from './pse-case.rules';
import { ESCALATION_ACTOR } from './pse-case.actors';
import { applyEvent } from './pse-case.state';
import { assignContext as assign, replaceContext } from './assign-context';

/** What an automatic escalation answers: a lapsed deadline, or a rejected submission that had normalised. */
export type EscalationCause = DeadlineKind | 'registrationRejected';

/**
 * Outbound work a transition asks for, returned as data: `decide` turns it into the command it names,
 * decided at the same business time and appended with the event that caused it.
 */
export interface EscalationParams {
  commandType: 'BlockAccess' | 'ImposeFine' | 'IssueWarning' | 'RevokeRegistration';
  pseId: string;
  cause: EscalationCause;
}

const policyOf = (context: PseCaseContext) => getPolicy(context.policyVersion);

// The next mandatory rung is what an automatic escalation runs (kominfo-2022: the block).
const escalateParams =
  (cause: EscalationCause) =>
  ({ context }: { context: PseCaseContext }): EscalationParams => {
    if (cause === 'suspensionResponse')
      return { commandType: 'RevokeRegistration', pseId: context.pseId, cause };
    // The block a submission had lifted comes back (docs/regulation.md §13).
    if (cause === 'registrationRejected' || cause === 'manualRegistrationFollowUp')
      return { commandType: 'BlockAccess', pseId: context.pseId, cause };
    const next = escalationCommands(context, policyOf(context));
    return {
      commandType: (next.at(-1) ?? 'BlockAccess') as EscalationParams['commandType'],
      pseId: context.pseId,
      cause,
    };
  };

const sanctionGuard =
  (sanction: Sanction, position: LadderPosition) =>
  ({ context, event }: { context: PseCaseContext; event: PseCaseEventEnvelope }) => {
    const policy = policyOf(context);
    return (
      isAfterRegistrationDeadline(event.occurredAt, policy) &&
      allowedSanctions(context, position, policy).includes(sanction)
    );
  };

const elapsed =
  (kind: DeadlineKind) =>
  ({ context, event }: { context: PseCaseContext; event: PseCaseEventEnvelope }) =>
    event.type === 'DeadlineElapsed' &&
    event.data.deadline === kind &&
    context.deadlines.some((d) => d.kind === kind && d.fineId === event.data.fineId);

const restoredBy =
  (cause: RestorationCause) =>
  ({ event }: { event: PseCaseEventEnvelope }) =>
    event.type === 'AccessRestored' && event.data.cause === cause;

/**
 * The PSE case statechart (docs/regulation.md §14). Its events are the domain event envelopes themselves; guards
 * encode the active policy's ladder; `escalate` actions are returned as data, never executed here.
 */
export const pseCaseMachine = setup({
  types: {
    context: {} as PseCaseContext,
    events: {} as PseCaseEventEnvelope,
  },
  guards: {
    identified: ({ context }) => context.pseId !== '',
    sanctioned: ({ context }) => wasSanctioned(context),
    automaticEscalation: ({ context }) => policyOf(context).automaticEscalation,
    automaticRevocation: ({ context }) => policyOf(context).automaticRevocation,
    submissionNormalises: ({ context }) => policyOf(context).submissionNormalises,
    hasPendingSubmission: ({ context }) => context.pendingSubmission !== null,
    escalationPending: ({ context }) => context.escalation.pending,
    warnFromUnregistered: sanctionGuard('warning', 'unregistered'),
    fineFromUnregistered: sanctionGuard('fine', 'unregistered'),
    blockFromUnregistered: sanctionGuard('block', 'unregistered'),
    warnAgain: sanctionGuard('warning', 'warned'),
    fineFromWarned: sanctionGuard('fine', 'warned'),
    blockFromWarned: sanctionGuard('block', 'warned'),
    fineAgain: sanctionGuard('fine', 'fined'),
    blockFromFined: sanctionGuard('block', 'fined'),
    warningElapsed: elapsed('warningResponse'),
    finePaymentElapsed: elapsed('finePayment'),
    followUpElapsed: elapsed('manualRegistrationFollowUp'),
    restorationElapsed: elapsed('temporaryRestoration'),
    suspensionElapsed: elapsed('suspensionResponse'),
    restoredByOperator: restoredBy('operator'),
    restoredBySubmission: restoredBy('submission'),
    restoredByRegistration: restoredBy('registration'),
    restoredByExemption: restoredBy('exemption'),
    restoredOnSubmission: ({ context }) => context.restoredOnSubmission,
    normalisationElapsed: elapsed('normalisationRequest'),
    normalisationPending: ({ context }) => context.deadlines.some((d) => d.kind === 'normalisationRequest'),
    // Any running deadline may elapse in any state: where no state gives it a meaning it only ends.
    deadlineRunning: ({ context, event }) =>
      event.type === 'DeadlineElapsed' &&
      context.deadlines.some((d) => d.kind === event.data.deadline && d.fineId === event.data.fineId),
    fineOpen: ({ context, event }) => {
      if (event.type !== 'FinePaid' && event.type !== 'FineAnnulled') return false;
      const fine = context.fines[event.data.fineId];
      if (!fine || fine.annulled || fineOutstanding(fine) === 0) return false;
      return event.type === 'FineAnnulled' || event.data.amountIdr <= fineOutstanding(fine);
    },
  },
  actions: {
    // applyEvent returns the whole next context, a copy of its own: it becomes the context as it is.
    apply: replaceContext(({ context, event }) => applyEvent(context, event)),
    markSince: assign({
      since: ({ event }) => event.occurredAt,
      sinceBy: ({ event }) => event.actor.id,
      sinceCause: ({ context, event }) =>
        event.actor.id !== ESCALATION_ACTOR.id
          ? null
          : context.lastElapsed
            ? `the ${context.lastElapsed} deadline elapsed`
            : 'the submission that had normalised it failed',
    }),
    countBlock: assign({ blocks: ({ context }) => context.blocks + 1 }),
    openEscalation: assign({
      escalation: ({ context }) => ({
        pending: true,
        allowed: escalationCommands(context, policyOf(context)),
      }),
    }),
    openRevocation: assign({ escalation: () => ({ pending: true, allowed: ['RevokeRegistration'] }) }),
    openReblock: assign({ escalation: () => ({ pending: true, allowed: ['BlockAccess'] }) }),
    // MR5 Art. 20: an unanswered normalisation request waits in the queue for a grant or a refusal.
    openNormalisationAnswer: assign({
      escalation: () => ({ pending: true, allowed: ['RestoreAccess', 'RefuseNormalisation'] }),
    }),
    // Outbound: collected from `transition`'s actions by `decide`; executing it does nothing.
    escalate: (_, _params: EscalationParams) => undefined,
  },
}).createMachine({
  id: 'pseCase',
  context: emptyContext,
  initial: 'absent',
  on: {
    PseProfileUpdated: { guard: 'identified', actions: 'apply' },
    PolicyMigrated: { guard: 'identified', actions: 'apply' },
    FinePaid: { guard: 'fineOpen', actions: 'apply' },
    FineAnnulled: { guard: 'fineOpen', actions: 'apply' },
    DeadlineElapsed: { guard: 'deadlineRunning', actions: 'apply' },
  },
  states: {
    absent: {
      on: { PseIdentified: { target: 'unregistered', actions: 'apply' } },
    },
    unregistered: {
      entry: 'markSince',
      on: {
        RegistrationSubmitted: { target: 'registrationPending', actions: 'apply' },
        RegistrationConfirmed: [
          { guard: 'sanctioned', target: 'reRegistered', actions: 'apply' },
          { target: 'registered', actions: 'apply' },
        ],
        WarningIssued: { guard: 'warnFromUnregistered', target: 'warned', actions: 'apply' },
        FineImposed: { guard: 'fineFromUnregistered', target: 'fined', actions: 'apply' },
        AccessBlocked: { guard: 'blockFromUnregistered', target: 'blocked', actions: 'apply' },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    registrationPending: {
      entry: 'markSince',
      on: {
        RegistrationConfirmed: [
          { guard: 'sanctioned', target: 'reRegistered', actions: 'apply' },
          { target: 'registered', actions: 'apply' },
        ],
        // A submission that had normalised the block and then fails brings the block back.
        RegistrationRejected: [
          {
            guard: and(['restoredOnSubmission', 'automaticEscalation']),
            target: 'unregistered',
            actions: [
              'apply',
              'openReblock',
              { type: 'escalate', params: escalateParams('registrationRejected') },
            ],
          },
          { guard: 'restoredOnSubmission', target: 'unregistered', actions: ['apply', 'openReblock'] },
          { target: 'unregistered', actions: 'apply' },
        ],
        DeadlineElapsed: [
          {
            guard: and(['followUpElapsed', 'restoredOnSubmission', 'automaticEscalation']),
            target: 'unregistered',
            actions: [
              'apply',
              'openReblock',
              { type: 'escalate', params: escalateParams('manualRegistrationFollowUp') },
            ],
          },
          {
            guard: and(['followUpElapsed', 'restoredOnSubmission']),
            target: 'unregistered',
            actions: ['apply', 'openReblock'],
          },
          { guard: 'followUpElapsed', target: 'unregistered', actions: 'apply' },
        ],
        // Kominfo 2022: Valve and Yahoo were normalised on submission, before their certificates.
        AccessRestored: { guard: 'restoredBySubmission', actions: 'apply' },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    registered: {
      entry: 'markSince',
      on: {
        RegistrationSuspended: { target: 'suspended', actions: 'apply' },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    warned: {
      entry: 'markSince',
      on: {
        WarningIssued: { guard: 'warnAgain', actions: 'apply' },
        FineImposed: { guard: 'fineFromWarned', target: 'fined', actions: 'apply' },
        AccessBlocked: { guard: 'blockFromWarned', target: 'blocked', actions: 'apply' },
        DeadlineElapsed: [
          {
            guard: and(['warningElapsed', 'automaticEscalation']),
            actions: [
              'apply',
              'openEscalation',
              { type: 'escalate', params: escalateParams('warningResponse') },
            ],
          },
          // Without automatic escalation the next rung waits in the operator's queue.
          { guard: 'warningElapsed', actions: ['apply', 'openEscalation'] },
        ],
        RegistrationSubmitted: { target: 'registrationPending', actions: 'apply' },
        RegistrationConfirmed: { target: 'reRegistered', actions: 'apply' },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    fined: {
      entry: 'markSince',
      on: {
        FineImposed: { guard: 'fineAgain', actions: 'apply' },
        AccessBlocked: { guard: 'blockFromFined', target: 'blocked', actions: 'apply' },
        DeadlineElapsed: [
          {
            guard: and(['finePaymentElapsed', 'automaticEscalation']),
            actions: ['apply', 'openEscalation', { type: 'escalate', params: escalateParams('finePayment') }],
          },
          { guard: 'finePaymentElapsed', actions: ['apply', 'openEscalation'] },
        ],
        RegistrationSubmitted: { target: 'registrationPending', actions: 'apply' },
        RegistrationConfirmed: { target: 'reRegistered', actions: 'apply' },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    blocked: {
      entry: ['markSince', 'countBlock'],
      initial: 'enforced',
      states: {
        enforced: {
          on: { AccessTemporarilyRestored: { target: 'temporarilyRestored', actions: 'apply' } },
        },
        temporarilyRestored: {
          on: {
            // docs/regulation.md §12.4: the window ends and the block is enforced again unless registered meanwhile.
            DeadlineElapsed: { guard: 'restorationElapsed', target: 'enforced', actions: 'apply' },
            AccessBlocked: { target: 'enforced', actions: 'apply' },
          },
        },
      },
      on: {
        RegistrationSubmitted: [
          { guard: 'submissionNormalises', target: 'registrationPending', actions: 'apply' },
          { actions: 'apply' },
        ],
        RegistrationRejected: { guard: 'hasPendingSubmission', actions: 'apply' },
        // docs/regulation.md §12.3: a registered system leaves the blocklist in the same append.
        RegistrationConfirmed: { target: 'reRegistered', actions: 'apply' },
        AccessRestored: { guard: 'restoredByOperator', target: 'unregistered', actions: 'apply' },
        NormalisationRequested: { actions: 'apply' },
        NormalisationRefused: { guard: 'normalisationPending', actions: 'apply' },
        DeadlineElapsed: { guard: 'normalisationElapsed', actions: ['apply', 'openNormalisationAnswer'] },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    reRegistered: {
      entry: 'markSince',
      on: {
        AccessRestored: { guard: 'restoredByRegistration', actions: 'apply' },
        RegistrationSuspended: { target: 'suspended', actions: 'apply' },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    suspended: {
      entry: 'markSince',
      on: {
        SuspensionLifted: [
          { guard: 'sanctioned', target: 'reRegistered', actions: 'apply' },
          { target: 'registered', actions: 'apply' },
        ],
        DeadlineElapsed: [
          {
            guard: and(['suspensionElapsed', 'automaticRevocation']),
            actions: [
              'apply',
              'openRevocation',
              { type: 'escalate', params: escalateParams('suspensionResponse') },
            ],
          },
          { guard: 'suspensionElapsed', actions: ['apply', 'openRevocation'] },
        ],
        // MR5 Art. 7(3): revoked only once the 7-day response period has lapsed.
        RegistrationRevoked: { guard: 'escalationPending', target: 'revoked', actions: 'apply' },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    revoked: {
      // MR5 Art. 7(3): revocation blocks the system, and counts as a block for Art. 20.
      entry: ['markSince', 'countBlock'],
      on: {
        RegistrationSubmitted: { actions: 'apply' },
        RegistrationRejected: { guard: 'hasPendingSubmission', actions: 'apply' },
        RegistrationConfirmed: { target: 'reRegistered', actions: 'apply' },
        AccessRestored: { guard: 'restoredByOperator', target: 'unregistered', actions: 'apply' },
        NormalisationRequested: { actions: 'apply' },
        NormalisationRefused: { guard: 'normalisationPending', actions: 'apply' },
        DeadlineElapsed: { guard: 'normalisationElapsed', actions: ['apply', 'openNormalisationAnswer'] },
        ExemptionGranted: { target: 'exempted', actions: 'apply' },
      },
    },
    exempted: {
      entry: 'markSince',
      on: { AccessRestored: { guard: 'restoredByExemption', actions: 'apply' } },
    },
  },
});

export type PseCaseMachine = typeof pseCaseMachine;
