import { InvalidReadRequest } from './event-store.errors';
import { MAX_STREAMS_PER_READ, type ReadStreamStartsOptions } from './event-store.port';

/** `readStreamStarts` options with defaults filled in: the whole log, no limit, every category. */
export interface StreamStartsQuery {
  after: number;
  upTo: number;
  /** -1: no limit (SQLite's spelling; PostgreSQL is given null). */
  limit: number;
  category: string | undefined;
}

function wholeNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidReadRequest({
      operation: 'readStreamStarts',
      reason: `${name} must be a whole number ≥ 0, got ${String(value)}`,
    });
  }
  return value;
}

/** Checks and completes `readStreamStarts` options, the same for every adapter; bad ones are refused. */
export function streamStartsQuery(options: ReadStreamStartsOptions = {}): StreamStartsQuery {
  if (options.category !== undefined && typeof options.category !== 'string') {
    throw new InvalidReadRequest({ operation: 'readStreamStarts', reason: 'category must be a string' });
  }
  return {
    after: wholeNumber('after', options.after, 0),
    upTo: wholeNumber('upTo', options.upTo, Number.MAX_SAFE_INTEGER),
    limit: wholeNumber('limit', options.limit, -1),
    category: options.category,
  };
}

/** Refuses `readStreams` ids that are not an array of at most `MAX_STREAMS_PER_READ` strings, for every adapter. */
export function checkStreamIds(streamIds: readonly string[]): void {
  if (
    !Array.isArray(streamIds) ||
    streamIds.length > MAX_STREAMS_PER_READ ||
    !streamIds.every((id) => typeof id === 'string')
  )
    throw new InvalidReadRequest({
      operation: 'readStreams',
      reason: `stream ids must be an array of at most ${MAX_STREAMS_PER_READ} strings`,
    });
}
