import type { ReadModelEvent } from '../events/read-model-event';

/** One row of `warning_to_registration`: from a case's first written warning to its registration. */
export interface WarningToRegistrationRow {
  pseId: string;
  warnedAt: string;
  letterNumber: string | null;
  submittedAt: string | null;
  registeredAt: string | null;
  seconds: number | null;
}

const REGISTERED_STATES = new Set(['registered', 'reRegistered']);

/** Opens on the first `WarningIssued`, records the first submission, closes on registration. */
export function projectWarningToRegistration(
  row: WarningToRegistrationRow | undefined,
  event: ReadModelEvent,
): WarningToRegistrationRow | undefined {
  if (!row) {
    if (event.type !== 'WarningIssued') return undefined;
    const letter = event.data['letterNumber'];
    return {
      pseId: event.pseId,
      warnedAt: event.occurredAt,
      letterNumber: typeof letter === 'string' ? letter : null,
      submittedAt: null,
      registeredAt: null,
      seconds: null,
    };
  }
  if (row.registeredAt !== null) return row;
  const submittedAt = row.submittedAt ?? (event.type === 'RegistrationSubmitted' ? event.occurredAt : null);
  if (REGISTERED_STATES.has(event.state.state)) {
    const seconds = Math.round((Date.parse(event.occurredAt) - Date.parse(row.warnedAt)) / 1000);
    return { ...row, submittedAt: submittedAt ?? event.occurredAt, registeredAt: event.occurredAt, seconds };
  }
  return submittedAt === row.submittedAt ? row : { ...row, submittedAt };
}
