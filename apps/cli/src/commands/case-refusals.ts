import { ConcurrentModification, IdempotencyKeyReused, VersionMismatch } from '@sanksi/application';
import { SanksiApiError, SanksiApiUnreachable } from '@sanksi/client';
import {
  CaseAlreadyExists,
  CaseNotFound,
  DeadlineOutsideCalendar,
  TransitionRefused,
  ValidationFailed,
} from '@sanksi/domain';
import {
  AppendOutcomeUnknown,
  EventStoreClosed,
  EventStoreStorageFull,
  EventStoreUnavailable,
} from '@sanksi/event-store';
import { CliError, ExitCode } from '../cli.errors';
import { optionOfField } from './case-options';

/**
 * Why a case command did not apply, the same whichever way it was sent: in-process the domain's error,
 * over `--api` the problem the API answered for that very error (apps/api problem.filter.ts), reduced to
 * the kind, the status and the fields both carry.
 */
export interface CaseRefusal {
  /** The problem kind (`transition-refused`, `version-mismatch`, …). */
  kind: string;
  status: number;
  detail: string;
  fields: Record<string, unknown>;
}

const FIELDS = [
  'pseId',
  'state',
  'command',
  'reason',
  'allowed',
  'expectedVersion',
  'actualVersion',
  'invalidFields',
] as const;

const pick = (source: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(FIELDS.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));

/** The refusal of an in-process command, or undefined for an error that is not one (a bug, say). */
export function localRefusal(error: unknown): CaseRefusal | undefined {
  const r = (kind: string, status: number, detail: string, fields: Record<string, unknown>): CaseRefusal => ({
    kind,
    status,
    detail,
    fields: pick(fields),
  });
  if (error instanceof TransitionRefused) return r('transition-refused', 409, error.message, { ...error });
  if (error instanceof ValidationFailed)
    return r('invalid-request', 400, error.message, {
      invalidFields: error.issues.map((i) => ({
        field: ['body', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    });
  if (error instanceof CaseNotFound) return r('case-not-found', 404, error.message, { pseId: error.pseId });
  if (error instanceof CaseAlreadyExists)
    return r('case-already-exists', 409, error.message, { pseId: error.pseId });
  if (error instanceof VersionMismatch) return r('version-mismatch', 412, error.message, { ...error });
  if (error instanceof IdempotencyKeyReused)
    return r('idempotency-key-reused', 422, error.message, { pseId: error.pseId, command: error.command });
  if (error instanceof ConcurrentModification)
    return r('concurrent-modification', 409, error.message, { pseId: error.pseId });
  if (error instanceof DeadlineOutsideCalendar) return r('deadline-outside-calendar', 422, error.message, {});
  if (error instanceof EventStoreStorageFull) return r('insufficient-storage', 507, error.message, {});
  if (error instanceof AppendOutcomeUnknown) return r('outcome-unknown', 503, error.message, {});
  if (error instanceof EventStoreUnavailable || error instanceof EventStoreClosed)
    return r('service-unavailable', 503, error.message, {});
  return undefined;
}

/** The refusal the API answered (a problem document), or undefined for another error. */
export function remoteRefusal(error: unknown): CaseRefusal | undefined {
  if (!(error instanceof SanksiApiError)) return undefined;
  return { kind: error.kind, status: error.status, detail: error.detail, fields: pick({ ...error.problem }) };
}

const EXIT_BY_KIND: Record<string, ExitCode> = {
  'transition-refused': ExitCode.refused,
  'case-already-exists': ExitCode.refused,
  'idempotency-key-reused': ExitCode.refused,
  'deadline-outside-calendar': ExitCode.refused,
  'version-mismatch': ExitCode.conflict,
  'concurrent-modification': ExitCode.conflict,
  'case-not-found': ExitCode.notFound,
  'invalid-request': ExitCode.usage,
};

/** The exit code of a refusal (docs/operations.md, "Exit codes"). */
export function exitCodeOf(refusal: CaseRefusal): ExitCode {
  const byKind = EXIT_BY_KIND[refusal.kind];
  if (byKind !== undefined) return byKind;
  if (refusal.status === 401 || refusal.status === 403) return ExitCode.configuration;
  if (refusal.status === 503 || refusal.status === 507) return ExitCode.unavailable;
  if (refusal.status === 404) return ExitCode.notFound;
  return ExitCode.failure;
}

/** The refusal as the CLI reports it: a message naming the reason and what is allowed, a code, the fields. */
export function refusalError(refusal: CaseRefusal): CliError {
  const parts = [refusal.detail];
  const allowed = refusal.fields.allowed;
  if (Array.isArray(allowed))
    parts.push(allowed.length > 0 ? `allowed now: ${allowed.join(', ')}` : 'no command is allowed now');
  const invalid = refusal.fields.invalidFields;
  if (Array.isArray(invalid) && invalid.length > 0)
    parts.push(
      `invalid: ${invalid.map((f: { field: string; message: string }) => `${optionOfField(f.field)} (${f.message})`).join('; ')}`,
    );
  if (refusal.status === 401 || refusal.status === 403)
    parts.push('SANKSI_API_KEY must hold an operator key of that server');
  const code = refusal.kind.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return new CliError(code, parts.join(' — '), exitCodeOf(refusal), {
    kind: refusal.kind,
    status: refusal.status,
    ...refusal.fields,
  });
}

/** The CLI error for any failure of a case command: refusals as above, an unreachable API as exit 7. */
export function caseCommandError(error: unknown, mode: 'local' | 'remote'): unknown {
  if (error instanceof SanksiApiUnreachable)
    return new CliError('API_UNREACHABLE', error.message, ExitCode.unavailable, { baseUrl: error.baseUrl });
  const refusal = mode === 'local' ? localRefusal(error) : remoteRefusal(error);
  return refusal ? refusalError(refusal) : error;
}
