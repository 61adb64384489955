// Request bodies of the HTTP command routes (API contract v1), validated at the edge and
// published in the OpenAPI document from these same schemas.
//
// Each body is the domain's own command schema (libs/domain/src/pse-case/pse-case.commands.ts) less what
// the URL or the server supplies (`type`, `pseId`, path parameters), plus `occurredAt`: its fields and
// their rules (host names, PseId, one-line text, rupiah, registration numbers) are the domain's. The edge
// adds only limits a network boundary needs — text trimmed and at most 2000 characters, 1–500 domains —
// and refuses unknown fields. Commands, not events, are the source: events carry what the domain derives
// (deadlines, fine ids, causes) and read recorded history tolerantly, while a body is a new fact.
import {
  AnnulFine,
  BlockAccess,
  ConfirmRegistration,
  ElapseDeadline,
  GrantExemption,
  Hostname,
  IdentifyPse,
  ImposeFine,
  Instant,
  IssueWarning,
  MigratePolicy,
  PseId,
  RecordFinePayment,
  RestoreAccess,
  RestoreAccessTemporarily,
  SingleLineText,
  singleLine,
  SubmitRegistration,
  SuspendRegistration,
} from '@sanksi/domain';
import { z } from 'zod';

// One-line text: no control characters (a terminal or an export row would act on them when shown).
const Text = singleLine(z.string().trim().min(1).max(2000));
// The domain's host-name rule (libs/domain/src/hostname): A-labels, no public suffix alone, no injection.
const Domains = z.array(z.string().trim().pipe(Hostname)).min(1).max(500);
const OccurredAt = { occurredAt: Instant.optional() };

/** The edge form of one field of a domain command: its own schema, with the edge's limits where they apply. */
function atTheEdge(field: z.ZodType): z.ZodType {
  if (field === SingleLineText) return Text;
  if (field instanceof z.ZodArray && field.element === Hostname) return Domains;
  if (field instanceof z.ZodOptional) return atTheEdge(field.unwrap() as z.ZodType).optional();
  return field;
}

type ServerSupplied = 'type' | 'pseId';
type Body<S extends z.ZodRawShape, P extends PropertyKey, O extends z.ZodRawShape> = z.ZodObject<
  Omit<S, ServerSupplied | P | keyof O> & O & typeof OccurredAt,
  z.core.$strict
>;

/**
 * The request body of a command: the command's fields less `type`, `pseId` and those named in `fromPath`,
 * each with the edge's limits, `overrides` where the HTTP form differs, and `occurredAt`; unknown fields refused.
 */
function bodyOf<
  S extends z.ZodRawShape,
  P extends keyof S = never,
  O extends z.ZodRawShape = Record<never, never>,
>(command: z.ZodObject<S>, fromPath: readonly P[] = [], overrides?: O): Body<S, P, O> {
  const omitted = new Set<PropertyKey>(['type', 'pseId', ...fromPath]);
  const fields = Object.entries(command.shape)
    .filter(([name]) => !omitted.has(name))
    .map(([name, field]) => [name, atTheEdge(field as z.ZodType)] as const);
  return z.strictObject({ ...Object.fromEntries(fields), ...overrides, ...OccurredAt }) as unknown as Body<
    S,
    P,
    O
  >;
}

// Opening a case: the id may be left to the server (it derives one from the Idempotency-Key), and the
// optional profile fields are simply left out rather than sent as null. A system with no domain (a
// mobile-only PSE, docs/decisions/0007) is opened with `domains: []` and the app ids or public IPs it
// has; an empty list with neither is a mistake and refused.
export const OpenCaseBody = bodyOf(IdentifyPse, [], {
  pseId: PseId.optional(),
  domains: z.array(z.string().trim().pipe(Hostname)).max(500),
  company: Text.optional(),
  sector: Text.optional(),
}).superRefine((body, ctx) => {
  if (body.domains.length === 0 && !body.appIds?.length && !body.ipAddresses?.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['domains'],
      message: 'a case with no domain must name at least one app id or public IP address',
    });
  }
});
export const IssueWarningBody = bodyOf(IssueWarning);
export const ImposeFineBody = bodyOf(ImposeFine);
export const RecordPaymentBody = bodyOf(RecordFinePayment, ['fineId']);
export const AnnulFineBody = bodyOf(AnnulFine, ['fineId']);
/** The body of the commands that carry only a reason (rejection, refusal, lifting, revocation, exemption …). */
export const ReasonBody = bodyOf(GrantExemption);
export const RestoreAccessBody = bodyOf(RestoreAccess);
export const BlockAccessBody = bodyOf(BlockAccess);
export const TemporaryRestorationBody = bodyOf(RestoreAccessTemporarily);
export const SubmitRegistrationBody = bodyOf(SubmitRegistration);
export const ConfirmRegistrationBody = bodyOf(ConfirmRegistration);
export const SuspendRegistrationBody = bodyOf(SuspendRegistration);
export const ElapseDeadlineBody = bodyOf(ElapseDeadline);
export const MigratePolicyBody = bodyOf(MigratePolicy);
