import type { ReadModelEvent } from '../events/read-model-event';
import { formatRupiah, formatWib, isInstant } from '../time.util';

/** One row of `case_timeline`: an event of a case as a human-readable line. */
export interface CaseTimelineRow {
  pseId: string;
  revision: number;
  position: number;
  eventId: string;
  eventType: string;
  occurredAt: string;
  recordedAt: string;
  actorId: string;
  actorRole: string;
  stateAfter: string;
  substateAfter: string | null;
  line: string;
}

type Data = Record<string, unknown>;

function text(data: Data, key: string): string | undefined {
  const v = data[key];
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function when(data: Data, key: string): string | undefined {
  const v = text(data, key);
  return v !== undefined && isInstant(v) ? formatWib(v) : v;
}

function money(data: Data, key: string): string {
  const v = data[key];
  return typeof v === 'number' ? formatRupiah(v) : '?';
}

function list(data: Data, key: string): string | undefined {
  const v = data[key];
  return Array.isArray(v) && v.length > 0 ? v.map(String).join(', ') : undefined;
}

const opt = (prefix: string, value: string | null | undefined, suffix = ''): string =>
  value === undefined || value === null ? '' : `${prefix}${value}${suffix}`;

const DEADLINE_NAMES: Record<string, string> = {
  warningResponse: 'warning response',
  finePayment: 'fine payment',
  manualRegistrationFollowUp: 'manual registration follow-up',
  temporaryRestoration: 'temporary restoration',
  suspensionResponse: 'suspension response',
  normalisationRequest: 'normalisation answer',
};

const RESTORATION_CAUSES: Record<string, string> = {
  registration: 'registration',
  submission: 'submission of registration',
  exemption: 'exemption',
  operator: "an operator's decision",
};

/** The event types the timeline words specifically; any other type gets a generic line. */
export const DESCRIBED_EVENT_TYPES = [
  'PseIdentified',
  'PseProfileUpdated',
  'RegistrationSubmitted',
  'RegistrationConfirmed',
  'RegistrationRejected',
  'WarningIssued',
  'FineImposed',
  'FinePaid',
  'FineAnnulled',
  'AccessBlocked',
  'AccessTemporarilyRestored',
  'AccessRestored',
  'NormalisationRequested',
  'NormalisationRefused',
  'RegistrationSuspended',
  'SuspensionLifted',
  'RegistrationRevoked',
  'ExemptionGranted',
  'DeadlineElapsed',
  'ConsequencesRetracted',
  'PolicyMigrated',
] as const;
type DescribedEventType = (typeof DESCRIBED_EVENT_TYPES)[number];

// A record over the union, so adding a type to the list without wording it fails to compile.
const DESCRIBE: Record<DescribedEventType, (d: Data, e: ReadModelEvent) => string> = {
  PseIdentified: (d, e) =>
    `Identified: ${e.state.origin} PSE "${e.state.name}"` +
    opt(' of ', e.state.company) +
    opt(': ', e.state.domains.length > 0 ? e.state.domains.join(', ') : undefined),
  PseProfileUpdated: (_d, e) =>
    `Profile updated: "${e.state.name}"` +
    opt(' of ', e.state.company) +
    opt(': ', e.state.domains.length > 0 ? e.state.domains.join(', ') : undefined),
  RegistrationSubmitted: (d) =>
    `Registration submitted ${text(d, 'channel') === 'manual' ? 'manually (form)' : 'through OSS'}` +
    opt(', OSS follow-up due ', when(d, 'followUpDeadline')),
  RegistrationConfirmed: (d) =>
    `Registration confirmed` + opt(' (certificate ', text(d, 'registrationNumber'), ')'),
  RegistrationRejected: (d) => `Registration rejected` + opt(': ', text(d, 'reason')),
  WarningIssued: (d) =>
    `Written warning issued` +
    opt(' (letter ', text(d, 'letterNumber'), ')') +
    opt(', response due ', when(d, 'responseDeadline')),
  FineImposed: (d) =>
    `Fine imposed` +
    opt(' (decision ', text(d, 'decisionNumber'), ')') +
    `: ${money(d, 'amountIdr')}` +
    opt(', payment due ', when(d, 'paymentDeadline')),
  FinePaid: (d) =>
    `Fine ${text(d, 'fineId') ?? '?'} paid: ${money(d, 'amountIdr')}` +
    opt(' (reference ', text(d, 'reference'), ')'),
  FineAnnulled: (d) => `Fine ${text(d, 'fineId') ?? '?'} annulled` + opt(': ', text(d, 'reason')),
  AccessBlocked: (d, e) =>
    `Access blocked${e.actor.id === 'sanksi-escalation' ? ' automatically' : ''}` +
    opt(' (order ', text(d, 'orderNumber'), ')') +
    opt(': ', list(d, 'domains') ?? (e.state.domains.length > 0 ? e.state.domains.join(', ') : undefined)),
  AccessTemporarilyRestored: (d) =>
    `Access temporarily restored` + opt(' until ', when(d, 'until')) + opt(': ', text(d, 'reason')),
  AccessRestored: (d) =>
    `Access restored (normalised${opt(' on ', RESTORATION_CAUSES[text(d, 'cause') ?? ''])})` +
    opt(': ', text(d, 'reason')),
  NormalisationRequested: (d) =>
    `Normalisation requested` +
    opt(': ', text(d, 'reason')) +
    opt(', answer due ', when(d, 'answerDeadline')),
  ConsequencesRetracted: (d) =>
    `${Array.isArray(d.retracted) ? d.retracted.length : 0} automatic event(s) retracted, contradicted by a fact recorded late` +
    opt(': ', text(d, 'reason')),
  NormalisationRefused: (d) => `Normalisation refused` + opt(': ', text(d, 'reason')),
  RegistrationSuspended: (d) =>
    `Registration suspended` +
    opt(' by ', text(d, 'by')) +
    opt(': ', text(d, 'reason')) +
    opt(', response due ', when(d, 'responseDeadline')),
  SuspensionLifted: (d) => `Suspension lifted` + opt(': ', text(d, 'reason')),
  RegistrationRevoked: (d) => `Registration revoked` + opt(': ', text(d, 'reason')),
  ExemptionGranted: (d) => `Exempted from registration` + opt(': ', text(d, 'reason')),
  DeadlineElapsed: (d) => {
    const kind = text(d, 'deadline');
    return (
      `Deadline elapsed: ${kind === undefined ? 'unknown' : (DEADLINE_NAMES[kind] ?? kind)}` +
      opt(' (due ', when(d, 'dueAt'), ')') +
      opt(', fine ', text(d, 'fineId'))
    );
  },
  PolicyMigrated: (d) => `Policy migrated` + opt(' from ', text(d, 'from')) + opt(' to ', text(d, 'to')),
};

function isDescribed(type: string): type is DescribedEventType {
  return Object.prototype.hasOwnProperty.call(DESCRIBE, type);
}

/** "SomeNewEvent" → "Some new event": the generic wording of a type the timeline does not know. */
function humanise(type: string): string {
  const words = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The human-readable line of an event, e.g. "2022-07-30 10:00 WIB — Access blocked (order 1): a.com". */
export function describeEvent(event: ReadModelEvent): string {
  const what = isDescribed(event.type) ? DESCRIBE[event.type](event.data, event) : humanise(event.type);
  return `${formatWib(event.occurredAt)} — ${what}`;
}

/** The timeline row of an event (append-only: one per event). */
export function projectTimelineEntry(event: ReadModelEvent): CaseTimelineRow {
  return {
    pseId: event.pseId,
    revision: event.revision,
    position: event.position,
    eventId: event.eventId,
    eventType: event.type,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    actorId: event.actor.id,
    actorRole: event.actor.role,
    stateAfter: event.state.state,
    substateAfter: event.state.substate,
    line: describeEvent(event),
  };
}
