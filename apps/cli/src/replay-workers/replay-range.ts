// Types only from the application: a replay thread loads the domain, the contracts and the store, not
// the whole application (half the modules a thread would otherwise compile on start).
import type { CaseEvents, SanksiConfig } from '@sanksi/application';
import { CASE_STREAM_CATEGORY, caseStreamId, fromRecorded, pseIdOfStream } from '@sanksi/contracts';
import { addWhatIfCounts, emptyWhatIfCounts } from '@sanksi/domain';
import type { EventStore, EventStoreConfig, RecordedEvent } from '@sanksi/event-store';
import { terminalSafeJson } from '../output/terminal-safe';
import { type ChunkResult, type ReplayTask, runReplayChunk } from './replay-task';

/**
 * A slice of the global log: the cases whose first event lies at a position in `(after, upTo]`. Every
 * case begins in exactly one slice, so slices split the population without anyone listing it first, and
 * whoever replays a slice reads its own cases from the store.
 */
export interface LogRange {
  after: number;
  upTo: number;
}

/**
 * What a slice produced: its cases' results, and the positions it covered (for progress). `findings` holds
 * the slice's first `keep` findings in population order, `found` how many it had in all; `listed`, when the
 * slice was asked for it, every finding as `listedFinding` writes it, in population order (`listedBytes`).
 */
export interface RangeResult extends ChunkResult {
  positions: number;
  found: number;
  listed?: ListedFindings;
}

/**
 * A slice's findings as a `--json` document lists them: each as `,\n` and its listed text, UTF-8, in one buffer
 * of its own — moved out of a replay thread, not copied (the texts as strings were deserialised into the main
 * thread's young generation, often as two-byte strings, copied again by its scavenges and encoded again to be
 * written); `count` of them.
 */
export interface ListedFindings {
  bytes: Uint8Array;
  count: number;
}

/** The listed texts of a slice's findings in one buffer (`ListedFindings`), each after `,\n`. */
export function listedBytes(texts: readonly string[]): ListedFindings {
  let total = 0;
  for (const text of texts) total += 2 + Buffer.byteLength(text);
  const bytes = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const text of texts) {
    bytes[at++] = 0x2c; // ,
    bytes[at++] = 0x0a; // \n
    at += bytes.write(text, at);
  }
  return { bytes, count: texts.length };
}

/**
 * A finding as a `--json` document's array lists it (indented by four), terminal-safe: stringified inside
 * `{ r: [finding] }` and cut out, which indents it in the same pass (a second pass over each report's text
 * to indent it cost ~40 µs of the ~75 a report, 273,305 reports at a million cases). Written by the replay
 * threads, beside their replay, rather than by the thread that writes the document.
 */
export function listedFinding(finding: unknown): string {
  return terminalSafeJson(JSON.stringify({ r: [finding] }, null, 2)).slice(
    '{\n  "r": [\n'.length,
    -'\n  ]\n}'.length,
  );
}

const PAGE = 5_000;
/** Cases read and replayed together: one `runReplayChunk` call, bounded memory. */
const CASES_PER_CHUNK = 64;

/** Positions per slice: enough to pay for a thread hop, small enough for a dozen slices per thread. */
export function rangeSize(head: number, threads: number): number {
  return Math.min(50_000, Math.max(500, Math.ceil(head / Math.max(1, threads * 12))));
}

/** The log from position 0 to `head` cut into consecutive slices of `size` positions. */
export function* logRanges(head: number, size: number): Generator<LogRange> {
  for (let after = 0; after < head; after += size) yield { after, upTo: Math.min(head, after + size) };
}

/** The cases whose first event (revision 0) lies in the slice, in log order, with that event's position. */
export async function casesBeginningIn(
  store: Pick<EventStore, 'readAll' | 'readStreamStarts'>,
  range: LogRange,
): Promise<Array<{ pseId: string; position: number }>> {
  if (store.readStreamStarts) {
    // The store's index of stream starts: the slice's events are read once, by their case, not twice.
    const starts = await store.readStreamStarts({
      after: range.after,
      upTo: range.upTo,
      category: CASE_STREAM_CATEGORY,
    });
    return starts.map((start) => ({ pseId: pseIdOfStream(start.streamId), position: start.position }));
  }
  // An adapter without that index (EventStoreDB): scan the slice for first events.
  const found: Array<{ pseId: string; position: number }> = [];
  let after = range.after;
  while (after < range.upTo) {
    const page = await store.readAll({ after, limit: PAGE, category: CASE_STREAM_CATEGORY });
    for (const recorded of page) {
      if (recorded.position > range.upTo) return found;
      if (recorded.revision === 0)
        found.push({ pseId: pseIdOfStream(recorded.streamId), position: recorded.position });
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1].position;
  }
  return found;
}

/**
 * Replays the cases that begin in one slice of the log, reading each case's stream from `store` (a replay
 * thread's own connection). Findings are ordered by the
 * position of their case's first event, which is the population's order.
 */
export async function runReplayRange(
  task: ReplayTask,
  store: Pick<EventStore, 'readAll' | 'readStream' | 'readStreamStarts' | 'readStreams'>,
  range: LogRange,
  /**
   * Findings to send back, the first in population order: no more can be among the population's first
   * `keep`, and a what-if at a million finds a quarter of a million reports a thread would copy for nothing.
   */
  keep: number = Number.POSITIVE_INFINITY,
  /** Send every finding as its listed text (`listed`) instead of as an object. */
  listed = false,
): Promise<RangeResult> {
  const result: RangeResult = {
    cases: 0,
    events: 0,
    findings: [],
    found: 0,
    positions: range.upTo - range.after,
  };
  const listedTexts: string[] = [];
  const starts = await casesBeginningIn(store, range);
  for (let i = 0; i < starts.length; i += CASES_PER_CHUNK) {
    const slice = starts.slice(i, i + CASES_PER_CHUNK);
    // A chunk's streams in one read where the store can (PostgreSQL: one round trip, not 64; SQLite: one
    // read transaction).
    const streams = store.readStreams
      ? await store.readStreams(slice.map(({ pseId }) => caseStreamId(pseId)))
      : await readOneByOne(store, slice);
    const cases: CaseEvents[] = slice.map(({ pseId }, j) => ({
      pseId,
      envelopes: (streams[j] ?? []).map((event) => fromRecorded(event)),
    }));
    const chunk = runReplayChunk(task, {
      first: 0,
      cases: cases.map((c, j) => ({ ...c, order: slice[j].position })),
    });
    result.cases += chunk.cases;
    result.events += chunk.events;
    result.found += chunk.findings.length;
    // Chunks come in population order, and so do the findings within one.
    for (const finding of chunk.findings) {
      if (listed) listedTexts.push(listedFinding(finding.finding));
      else if (result.findings.length < keep) result.findings.push(finding);
    }
    if (chunk.counts) addWhatIfCounts((result.counts ??= emptyWhatIfCounts()), chunk.counts);
  }
  if (listed) result.listed = listedBytes(listedTexts);
  return result;
}

/** The streams of a chunk's cases, one read each (a store without `readStreams`). */
async function readOneByOne(
  store: Pick<EventStore, 'readStream'>,
  slice: ReadonlyArray<{ pseId: string }>,
): Promise<RecordedEvent[][]> {
  const streams: RecordedEvent[][] = [];
  for (const { pseId } of slice) streams.push(await store.readStream(caseStreamId(pseId)));
  return streams;
}

/** How a replay thread opens its own connection to the same event store as the command. */
export function replayStoreConfig(config: SanksiConfig): EventStoreConfig {
  return config.eventStore.kind === 'postgres'
    ? { ...config.eventStore, timeouts: config.postgres, poolSize: 2 }
    : config.eventStore;
}
