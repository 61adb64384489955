/**
 * Whether a failure while handling an OSS message is worth waiting out (the store or the network is
 * away, a write raced another) rather than a deterministic fault that would fail the same way on every
 * redelivery. Transient failures are retried without limit and never dead-lettered; anything else is
 * retried a bounded number of times, then parked in the DLQ so the partition moves on.
 */
export function isTransientFailure(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 8; depth++) {
    if (isTransientOne(cur)) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

const TRANSIENT_CODES = new Set([
  // event store and command path (libs/event-store, cases/case-command.errors)
  'EVENT_STORE_CLOSED',
  'EVENT_STORE_UNAVAILABLE',
  'APPEND_OUTCOME_UNKNOWN',
  'EVENT_STORE_STORAGE_FULL',
  'WRONG_EXPECTED_REVISION',
  'CONCURRENT_MODIFICATION',
  // the network
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  // SQLite: another writer, a full or unreadable disk
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_CANTOPEN',
  'SQLITE_PROTOCOL',
  // PostgreSQL: lock not available, query cancelled (statement timeout)
  '55P03',
  '57014',
]);

const TRANSIENT_NAMES = new Set([
  'EventStoreClosed',
  'EventStoreUnavailable',
  'AppendOutcomeUnknown',
  'EventStoreStorageFull',
  'WrongExpectedRevision',
  'ConcurrentModification',
]);

/** Messages of drivers that throw plain errors for a closed or lost connection. */
const TRANSIENT_MESSAGES =
  /database connection is not open|connection terminated|timeout exceeded when trying to connect|cannot use a pool after calling end|client has encountered a connection error|connection .* closed/i;

function isTransientOne(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (TRANSIENT_CODES.has(code) || code.startsWith('SQLITE_IOERR')) return true;
    // PostgreSQL SQLSTATE classes: 08 connection, 53 insufficient resources, 57P operator intervention
    // (shutdown), 40 transaction rollback (serialization, deadlock).
    if (/^(08|53|57P|40)[0-9A-Z]{2,3}$/.test(code)) return true;
  }
  if (typeof name === 'string' && TRANSIENT_NAMES.has(name)) return true;
  return typeof message === 'string' && TRANSIENT_MESSAGES.test(message);
}
