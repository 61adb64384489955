import type { CommandOperation } from '../api/sanksi-api';
import type { MessageKey } from '../i18n/messages';

/** One input of a command form. */
export interface FormField {
  name: string;
  label: MessageKey;
  kind: 'text' | 'amount' | 'datetime' | 'select' | 'list' | 'checkbox' | 'fine';
  required: boolean;
  options?: readonly string[];
}

/** The command an event of the machine is asked for with, and the route and fields that ask for it. */
export interface CommandForm {
  event: string;
  command: string;
  /** The route below /v1/cases/{pseId}/; `{fineId}` is filled from the form. */
  route: string;
  /** The API operation of that route (what the typed client calls). */
  operation: CommandOperation;
  fields: FormField[];
  /** Only shown when the case has a fine still open. */
  needsOpenFine?: boolean;
}

const reason: FormField = { name: 'reason', label: 'field.reason', kind: 'text', required: true };
const fine: FormField = { name: 'fineId', label: 'field.fineId', kind: 'fine', required: true };

/** The forms, keyed by the event the machine would record; events no one commands (elapses) have none. */
export const COMMAND_FORMS: Record<string, CommandForm> = {
  WarningIssued: {
    event: 'WarningIssued',
    command: 'IssueWarning',
    route: 'warnings',
    operation: 'issueWarning',
    fields: [{ name: 'letterNumber', label: 'field.letterNumber', kind: 'text', required: true }],
  },
  FineImposed: {
    event: 'FineImposed',
    command: 'ImposeFine',
    route: 'fines',
    operation: 'imposeFine',
    fields: [
      { name: 'decisionNumber', label: 'field.decisionNumber', kind: 'text', required: true },
      { name: 'amountIdr', label: 'field.amountIdr', kind: 'amount', required: true },
    ],
  },
  FinePaid: {
    event: 'FinePaid',
    command: 'RecordFinePayment',
    route: 'fines/{fineId}/payments',
    operation: 'recordFinePayment',
    needsOpenFine: true,
    fields: [
      fine,
      { name: 'amountIdr', label: 'field.amountIdr', kind: 'amount', required: true },
      { name: 'reference', label: 'field.reference', kind: 'text', required: true },
    ],
  },
  FineAnnulled: {
    event: 'FineAnnulled',
    command: 'AnnulFine',
    route: 'fines/{fineId}/annulment',
    operation: 'annulFine',
    needsOpenFine: true,
    fields: [fine, reason],
  },
  AccessBlocked: {
    event: 'AccessBlocked',
    command: 'BlockAccess',
    route: 'blocks',
    operation: 'blockAccess',
    fields: [
      { name: 'orderNumber', label: 'field.orderNumber', kind: 'text', required: true },
      { name: 'domains', label: 'field.domains', kind: 'list', required: false },
    ],
  },
  AccessTemporarilyRestored: {
    event: 'AccessTemporarilyRestored',
    command: 'RestoreAccessTemporarily',
    route: 'temporary-restorations',
    operation: 'restoreAccessTemporarily',
    fields: [{ name: 'until', label: 'field.until', kind: 'datetime', required: true }, reason],
  },
  AccessRestored: {
    event: 'AccessRestored',
    command: 'RestoreAccess',
    route: 'restorations',
    operation: 'restoreAccess',
    fields: [reason, { name: 'override', label: 'field.override', kind: 'checkbox', required: false }],
  },
  NormalisationRequested: {
    event: 'NormalisationRequested',
    command: 'RequestNormalisation',
    route: 'normalisation-requests',
    operation: 'requestNormalisation',
    fields: [reason],
  },
  NormalisationRefused: {
    event: 'NormalisationRefused',
    command: 'RefuseNormalisation',
    route: 'normalisation-requests/refusal',
    operation: 'refuseNormalisation',
    fields: [reason],
  },
  RegistrationSubmitted: {
    event: 'RegistrationSubmitted',
    command: 'SubmitRegistration',
    route: 'registrations',
    operation: 'submitRegistration',
    fields: [
      { name: 'channel', label: 'field.channel', kind: 'select', required: true, options: ['oss', 'manual'] },
    ],
  },
  RegistrationConfirmed: {
    event: 'RegistrationConfirmed',
    command: 'ConfirmRegistration',
    route: 'registrations/confirmation',
    operation: 'confirmRegistration',
    fields: [{ name: 'registrationNumber', label: 'field.registrationNumber', kind: 'text', required: true }],
  },
  RegistrationRejected: {
    event: 'RegistrationRejected',
    command: 'RejectRegistration',
    route: 'registrations/rejection',
    operation: 'rejectRegistration',
    fields: [reason],
  },
  RegistrationSuspended: {
    event: 'RegistrationSuspended',
    command: 'SuspendRegistration',
    route: 'suspensions',
    operation: 'suspendRegistration',
    fields: [
      { name: 'by', label: 'field.by', kind: 'select', required: true, options: ['TAKEL', 'PAI'] },
      reason,
    ],
  },
  SuspensionLifted: {
    event: 'SuspensionLifted',
    command: 'LiftSuspension',
    route: 'suspensions/lifting',
    operation: 'liftSuspension',
    fields: [reason],
  },
  RegistrationRevoked: {
    event: 'RegistrationRevoked',
    command: 'RevokeRegistration',
    route: 'revocations',
    operation: 'revokeRegistration',
    fields: [reason],
  },
  ExemptionGranted: {
    event: 'ExemptionGranted',
    command: 'GrantExemption',
    route: 'exemptions',
    operation: 'grantExemption',
    fields: [reason],
  },
  PolicyMigrated: {
    event: 'PolicyMigrated',
    command: 'MigratePolicy',
    route: 'policy-migrations',
    operation: 'migratePolicy',
    fields: [
      {
        name: 'to',
        label: 'field.to',
        kind: 'select',
        required: true,
        options: ['mr5-literal', 'kominfo-2022', 'pp43-2023'],
      },
      reason,
    ],
  },
};

/** The forms for the events the machine could take next, in the machine's order (fine forms only with an open fine). */
export function formsFor(events: readonly string[], hasOpenFine: boolean): CommandForm[] {
  return events
    .map((e) => COMMAND_FORMS[e])
    .filter((f): f is CommandForm => f !== undefined && (!f.needsOpenFine || hasOpenFine));
}

/** A WIB wall-clock time from a datetime-local input (`2022-08-05T23:59`) as an instant. */
export const wibInstant = (local: string): string => `${local.length === 16 ? `${local}:00` : local}+07:00`;

/** The request body of a form's values (amounts as integers, lists split, times in WIB, empty optionals left out) and the fine it names. */
export function commandBody(
  form: CommandForm,
  values: Record<string, string | boolean>,
): { route: string; body: Record<string, unknown>; fineId?: string } {
  const body: Record<string, unknown> = {};
  let route = form.route;
  let fineId: string | undefined;
  for (const field of form.fields) {
    const raw = values[field.name];
    if (field.kind === 'checkbox') {
      if (raw === true) body[field.name] = true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') continue;
    if (field.kind === 'fine') {
      fineId = text;
      route = route.replace('{fineId}', encodeURIComponent(text));
    } else if (field.kind === 'amount') body[field.name] = Number(text.replace(/[.\s]/g, ''));
    else if (field.kind === 'list')
      body[field.name] = text
        .split(/[,\s]+/)
        .map((d) => d.trim())
        .filter(Boolean);
    else if (field.kind === 'datetime') body[field.name] = wibInstant(text);
    else body[field.name] = text;
  }
  const occurredAt = values.occurredAt;
  if (typeof occurredAt === 'string' && occurredAt.trim()) body.occurredAt = wibInstant(occurredAt.trim());
  return fineId === undefined ? { route, body } : { route, body, fineId };
}
