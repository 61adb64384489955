import { addHours, CalendarYearNotCovered, dueDate } from '../calendar';
import { normaliseHostname } from '../hostname/hostname';
import { AppStoreId, PublicIpAddress } from '../hostname/system-address';
import type { Policy } from '../policies/policy';
import type { PseCaseCommand, PseCaseCommandOf, PseCaseCommandType } from './pse-case.commands';
import { fineOutstanding, type PseCaseContext } from './pse-case.context';
import {
  DeadlineOutsideCalendar,
  TransitionRefused,
  ValidationFailed,
  type DecideError,
} from './pse-case.errors';
import type { CaseState, PseCaseEventData } from './pse-case.events';
import type { EventMetadata } from './pse-case.envelope';
import { isOnBlocklist, type PseCaseSnapshot } from './pse-case.fold';

/** What a command rule sees when it drafts the events of one command. */
export interface DraftInput<C> {
  command: C;
  snapshot: PseCaseSnapshot;
  context: PseCaseContext;
  state: CaseState | 'absent';
  policy: Policy;
  metadata: EventMetadata;
  /** A refusal in the case's current state, naming `reason` and the commands allowed instead. */
  refuse: (reason: string) => TransitionRefused;
}

/** How one command type becomes events, and how to ask the machine whether it would accept it now. */
export interface CommandRule<T extends PseCaseCommandType> {
  /** The events the command asks for (the machine still decides whether they may happen) or a refusal. */
  draft(input: DraftInput<PseCaseCommandOf<T>>): PseCaseEventData[] | DecideError;
  /** Representative events of the command in this snapshot at business time `at` (none: not possible). */
  probe(snapshot: PseCaseSnapshot, policy: Policy, at: string): PseCaseEventData[];
}

type CommandRules = { [T in PseCaseCommandType]: CommandRule<T> };

function invalid(path: string, message: string): ValidationFailed {
  return new ValidationFailed([{ path: [path], message }]);
}

function due(
  from: string,
  period: Policy['responsePeriod'],
  policy: Policy,
): string | ValidationFailed | DeadlineOutsideCalendar {
  try {
    return dueDate(from, period, policy.timeZone);
  } catch (error) {
    // Not the caller's mistake: the holiday table ends (docs/calendar.md §Adding a year).
    if (error instanceof CalendarYearNotCovered) {
      const { year, knownFrom, knownThrough, message } = error;
      return new DeadlineOutsideCalendar({ year, knownFrom, knownThrough, message });
    }
    return invalid('occurredAt', error instanceof Error ? error.message : 'deadline outside the calendar');
  }
}

/**
 * The domains of a new fact in their stored form (A-labels, lower case, each once), or the first one
 * that is no host name. `decide` checks them itself: not every caller parses commands first.
 */
function hostnames(domains: readonly string[], field: string, origin = ''): string[] | ValidationFailed {
  const stored: string[] = [];
  for (const [index, domain] of domains.entries()) {
    const result = normaliseHostname(domain);
    if ('refused' in result) {
      return new ValidationFailed([
        { path: origin ? [field] : [field, index], message: `${origin}${result.refused.message}` },
      ]);
    }
    if (!stored.includes(result.hostname)) stored.push(result.hostname);
  }
  return stored;
}

/**
 * App ids or IP addresses of a new fact in their stored form, each once, or the first one the schema
 * refuses (`decide` checks them itself, as it does domains).
 */
function storedAddresses(
  values: readonly string[] | undefined,
  schema: typeof AppStoreId | typeof PublicIpAddress,
  field: string,
): string[] | undefined | ValidationFailed {
  if (values === undefined) return undefined;
  const stored: string[] = [];
  for (const [index, value] of values.entries()) {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      return new ValidationFailed([{ path: [field, index], message: parsed.error.issues[0].message }]);
    }
    if (!stored.includes(parsed.data)) stored.push(parsed.data);
  }
  return stored;
}

const openFineOf = (c: PseCaseContext) => Object.values(c.fines).find((f) => fineOutstanding(f) > 0);
const one = (draft: PseCaseEventData): PseCaseEventData[] => [draft];

/** One rule per command type: its drafts and its probes, side by side. */
export const commandRules: CommandRules = {
  IdentifyPse: {
    draft: ({ command, policy }) => {
      const domains = hostnames(command.domains, 'domains');
      if (domains instanceof Error) return domains;
      const appIds = storedAddresses(command.appIds, AppStoreId, 'appIds');
      if (appIds instanceof Error) return appIds;
      const ipAddresses = storedAddresses(command.ipAddresses, PublicIpAddress, 'ipAddresses');
      if (ipAddresses instanceof Error) return ipAddresses;
      return one({
        type: 'PseIdentified',
        data: {
          name: command.name,
          origin: command.origin,
          domains,
          // Only when there are any, so cases without them keep the data (and hashes) they always had.
          ...(appIds?.length ? { appIds } : {}),
          ...(ipAddresses?.length ? { ipAddresses } : {}),
          company: command.company ?? null,
          sector: command.sector ?? null,
          policy: command.policy ?? policy.id,
          // Only when given, so cases opened without them keep the data (and hashes) they always had.
          ...(command.source ? { source: command.source } : {}),
          ...(command.evidence ? { evidence: command.evidence } : {}),
        },
      });
    },
    probe: () => [],
  },
  UpdatePseProfile: {
    draft: ({ command }) => {
      const { type: _t, pseId: _p, ...changes } = command;
      if (Object.values(changes).every((v) => v === undefined)) {
        return invalid('(root)', 'a profile update must change at least one field');
      }
      const appIds = storedAddresses(changes.appIds, AppStoreId, 'appIds');
      if (appIds instanceof Error) return appIds;
      const ipAddresses = storedAddresses(changes.ipAddresses, PublicIpAddress, 'ipAddresses');
      if (ipAddresses instanceof Error) return ipAddresses;
      const addresses = {
        ...(appIds ? { appIds } : {}),
        ...(ipAddresses ? { ipAddresses } : {}),
      };
      if (changes.domains === undefined) {
        return one({ type: 'PseProfileUpdated', data: { ...changes, ...addresses } });
      }
      const domains = hostnames(changes.domains, 'domains');
      if (domains instanceof Error) return domains;
      return one({ type: 'PseProfileUpdated', data: { ...changes, ...addresses, domains } });
    },
    probe: (s) => one({ type: 'PseProfileUpdated', data: { name: s.context.name || '?' } }),
  },
  SubmitRegistration: {
    draft: ({ command, state, policy, metadata }) => {
      let followUpDeadline: string | null = null;
      if (command.channel === 'manual') {
        const d = due(metadata.occurredAt, policy.manualRegistrationFollowUp, policy);
        if (d instanceof Error) return d;
        followUpDeadline = d;
      }
      const drafts: PseCaseEventData[] = [
        { type: 'RegistrationSubmitted', data: { channel: command.channel, followUpDeadline } },
      ];
      // Kominfo 2022: Valve and Yahoo were normalised on submission (docs/regulation.md §4).
      if (state === 'blocked' && policy.submissionNormalises) {
        drafts.push({
          type: 'AccessRestored',
          data: { reason: 'Normalised on submission of registration', cause: 'submission' },
        });
      }
      return drafts;
    },
    probe: () => one({ type: 'RegistrationSubmitted', data: { channel: 'oss', followUpDeadline: null } }),
  },
  ConfirmRegistration: {
    draft: ({ command, state }) => {
      const drafts: PseCaseEventData[] = [
        { type: 'RegistrationConfirmed', data: { registrationNumber: command.registrationNumber } },
      ];
      // Rule 3 (docs/regulation.md §12): never a registered system on the blocklist, not even between two events.
      if (state === 'blocked' || state === 'revoked') {
        drafts.push({
          type: 'AccessRestored',
          data: { reason: 'Registered: normalised automatically', cause: 'registration' },
        });
      }
      return drafts;
    },
    probe: () =>
      one({ type: 'RegistrationConfirmed', data: { registrationNumber: '000000.00/DJAI.PSE/01/2022' } }),
  },
  RejectRegistration: {
    draft: ({ command }) => one({ type: 'RegistrationRejected', data: { reason: command.reason } }),
    probe: () => one({ type: 'RegistrationRejected', data: { reason: '?' } }),
  },
  IssueWarning: {
    draft: ({ command, policy, metadata }) => {
      const d = due(metadata.occurredAt, policy.responsePeriod, policy);
      if (d instanceof Error) return d;
      return one({
        type: 'WarningIssued',
        data: { letterNumber: command.letterNumber, responseDeadline: d },
      });
    },
    probe: (_s, _p, at) => one({ type: 'WarningIssued', data: { letterNumber: '?', responseDeadline: at } }),
  },
  ImposeFine: {
    draft: ({ command, context, policy, metadata, refuse }) => {
      const schedule = policy.fineSchedule;
      if (!schedule) return refuse(`policy ${policy.id} has no administrative fines`);
      if (command.amountIdr < schedule.minIdr || command.amountIdr > schedule.maxIdr) {
        return invalid(
          'amountIdr',
          `must be between ${schedule.minIdr} and ${schedule.maxIdr} rupiah under ${policy.id}`,
        );
      }
      const d = due(metadata.occurredAt, policy.paymentPeriod, policy);
      if (d instanceof Error) return d;
      return one({
        type: 'FineImposed',
        data: {
          fineId: `F${context.fineCount + 1}`,
          decisionNumber: command.decisionNumber,
          amountIdr: command.amountIdr,
          paymentDeadline: d,
        },
      });
    },
    probe: (_s, policy, at) =>
      policy.fineSchedule
        ? one({
            type: 'FineImposed',
            data: { fineId: '?', decisionNumber: '?', amountIdr: 1, paymentDeadline: at },
          })
        : [],
  },
  RecordFinePayment: {
    draft: ({ command, context, refuse }) => {
      const fine = context.fines[command.fineId];
      if (!fine) return refuse(noFine(command.fineId, context));
      if (fine.annulled) return refuse(`fine ${command.fineId} was annulled`);
      const outstanding = fineOutstanding(fine);
      if (command.amountIdr > outstanding) {
        return refuse(
          `payment of ${command.amountIdr} exceeds the ${outstanding} rupiah outstanding on ${fine.fineId}`,
        );
      }
      return one({
        type: 'FinePaid',
        data: { fineId: fine.fineId, amountIdr: command.amountIdr, reference: command.reference },
      });
    },
    probe: (s) => {
      const fine = openFineOf(s.context);
      return fine
        ? one({ type: 'FinePaid', data: { fineId: fine.fineId, amountIdr: 1, reference: '?' } })
        : [];
    },
  },
  AnnulFine: {
    draft: ({ command, context, refuse }) => {
      const fine = context.fines[command.fineId];
      if (!fine) return refuse(noFine(command.fineId, context));
      if (fine.annulled) return refuse(`fine ${command.fineId} is already annulled`);
      if (fineOutstanding(fine) === 0) return refuse(`fine ${command.fineId} is fully paid`);
      return one({ type: 'FineAnnulled', data: { fineId: fine.fineId, reason: command.reason } });
    },
    probe: (s) => {
      const fine = openFineOf(s.context);
      return fine ? one({ type: 'FineAnnulled', data: { fineId: fine.fineId, reason: '?' } }) : [];
    },
  },
  BlockAccess: {
    draft: ({ command, context }) => {
      // Decision 0007: the order stands even when the case has no domain to put on the DNS lists (a
      // mobile-only PSE); an order that names domains must name at least one.
      if (command.domains?.length === 0) {
        return invalid(
          'domains',
          'an order that names domains needs at least one (omit it to block the case)',
        );
      }
      // A case recorded before the host-name rule may hold a domain that breaks it: it is not blocked anew.
      const domains = command.domains
        ? hostnames(command.domains, 'domains')
        : hostnames(
            context.domains,
            'domains',
            'a recorded domain of the case cannot be blocked (correct it with a profile update, or name the domains to block): ',
          );
      if (domains instanceof Error) return domains;
      return one({
        type: 'AccessBlocked',
        data: { orderNumber: command.orderNumber, domains: [...domains] },
      });
    },
    probe: (s) => one({ type: 'AccessBlocked', data: { orderNumber: '?', domains: s.context.domains } }),
  },
  RestoreAccessTemporarily: {
    draft: ({ command, policy, metadata }) => {
      if (Date.parse(command.until) <= Date.parse(metadata.occurredAt)) {
        return invalid('until', 'the temporary restoration must end after it starts');
      }
      const limit = addHours(metadata.occurredAt, policy.temporaryRestorationMaxDays * 24);
      if (Date.parse(command.until) > Date.parse(limit)) {
        return invalid(
          'until',
          `at most ${policy.temporaryRestorationMaxDays} days under ${policy.id} (until ${limit})`,
        );
      }
      return one({
        type: 'AccessTemporarilyRestored',
        data: { until: command.until, reason: command.reason },
      });
    },
    probe: (_s, _p, at) => one({ type: 'AccessTemporarilyRestored', data: { until: at, reason: '?' } }),
  },
  RestoreAccess: {
    draft: ({ command, context, policy, metadata, refuse }) => {
      // MR5 Art. 20 (docs/regulation.md §7): normalisation may be refused after more than 3 blocks.
      if (context.blocks > policy.maxBlocksBeforeNormalisationRefused) {
        if (!command.override || metadata.actor.role !== 'admin') {
          return refuse(
            `blocked ${context.blocks} times (more than ${policy.maxBlocksBeforeNormalisationRefused}, MR5 Art. 20): ` +
              'normalisation needs override by an admin',
          );
        }
      }
      return one({ type: 'AccessRestored', data: { reason: command.reason, cause: 'operator' } });
    },
    probe: () => one({ type: 'AccessRestored', data: { reason: '?', cause: 'operator' } }),
  },
  RequestNormalisation: {
    draft: ({ command, context, policy, metadata, refuse }) => {
      const pending = context.deadlines.find((d) => d.kind === 'normalisationRequest');
      if (pending)
        return refuse(`a normalisation request is already pending, to be answered by ${pending.dueAt}`);
      // MR5 Art. 20: answered within 2 × 24 hours.
      const answerDeadline = addHours(metadata.occurredAt, policy.normalisationAnswerHours);
      return one({ type: 'NormalisationRequested', data: { reason: command.reason, answerDeadline } });
    },
    probe: (s, _p, at) =>
      s.context.deadlines.some((d) => d.kind === 'normalisationRequest')
        ? []
        : one({ type: 'NormalisationRequested', data: { reason: '?', answerDeadline: at } }),
  },
  RefuseNormalisation: {
    draft: ({ command }) => one({ type: 'NormalisationRefused', data: { reason: command.reason } }),
    probe: () => one({ type: 'NormalisationRefused', data: { reason: '?' } }),
  },
  SuspendRegistration: {
    draft: ({ command, policy, metadata }) => {
      const d = due(metadata.occurredAt, policy.suspensionResponse, policy);
      if (d instanceof Error) return d;
      return one({
        type: 'RegistrationSuspended',
        data: { by: command.by, reason: command.reason, responseDeadline: d },
      });
    },
    probe: (_s, _p, at) =>
      one({ type: 'RegistrationSuspended', data: { by: 'TAKEL', reason: '?', responseDeadline: at } }),
  },
  LiftSuspension: {
    draft: ({ command }) => one({ type: 'SuspensionLifted', data: { reason: command.reason } }),
    probe: () => one({ type: 'SuspensionLifted', data: { reason: '?' } }),
  },
  RevokeRegistration: {
    draft: ({ command }) => one({ type: 'RegistrationRevoked', data: { reason: command.reason } }),
    probe: () => one({ type: 'RegistrationRevoked', data: { reason: '?' } }),
  },
  GrantExemption: {
    draft: ({ command, snapshot, state }) => {
      const drafts: PseCaseEventData[] = [{ type: 'ExemptionGranted', data: { reason: command.reason } }];
      if (isOnBlocklist(snapshot) || state === 'blocked') {
        drafts.push({
          type: 'AccessRestored',
          data: { reason: 'Exempted: not obliged to register', cause: 'exemption' },
        });
      }
      return drafts;
    },
    probe: () => one({ type: 'ExemptionGranted', data: { reason: '?' } }),
  },
  ElapseDeadline: {
    draft: ({ command, context, metadata, refuse }) => {
      const fineId = command.fineId ?? null;
      const deadline = context.deadlines.find(
        (d) => d.kind === command.deadline && (fineId === null || d.fineId === fineId),
      );
      if (!deadline)
        return refuse(`no ${command.deadline} deadline${fineId ? ` for ${fineId}` : ''} is running`);
      if (Date.parse(metadata.occurredAt) < Date.parse(deadline.dueAt)) {
        return refuse(
          `the ${command.deadline} deadline is due ${deadline.dueAt}, not yet at ${metadata.occurredAt}`,
        );
      }
      return one({
        type: 'DeadlineElapsed',
        data: { deadline: deadline.kind, dueAt: deadline.dueAt, fineId: deadline.fineId },
      });
    },
    probe: (s, _p, at) =>
      s.context.deadlines
        .filter((d) => Date.parse(d.dueAt) <= Date.parse(at))
        .map((d) => ({
          type: 'DeadlineElapsed',
          data: { deadline: d.kind, dueAt: d.dueAt, fineId: d.fineId },
        })),
  },
  MigratePolicy: {
    draft: ({ command, context, refuse }) => {
      if (command.to === context.policyVersion) return refuse(`the case is already under ${command.to}`);
      return one({
        type: 'PolicyMigrated',
        data: { from: context.policyVersion, to: command.to, reason: command.reason },
      });
    },
    probe: (s) =>
      one({
        type: 'PolicyMigrated',
        data: {
          from: s.context.policyVersion,
          to: s.context.policyVersion === 'pp43-2023' ? 'kominfo-2022' : 'pp43-2023',
          reason: '?',
        },
      }),
  },
};

function noFine(fineId: string, context: PseCaseContext): string {
  const ids = Object.keys(context.fines);
  return `no fine ${fineId} on this case (${ids.length > 0 ? `its fines: ${ids.join(', ')}` : 'it has no fines'})`;
}

/** The rule of a command's type, typed for the whole command union. */
export function ruleFor(command: PseCaseCommand): CommandRule<PseCaseCommandType> {
  return commandRules[command.type] as unknown as CommandRule<PseCaseCommandType>;
}
