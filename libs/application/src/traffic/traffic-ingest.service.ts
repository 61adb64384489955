import { hash } from 'node:crypto';
import {
  type Actor,
  TRAFFIC_OBSERVED,
  type TrafficObservationInput,
  type TrafficObserved,
  trafficObservationKey,
  trafficStreamId,
} from '@sanksi/domain';
import { type EventStore, type EventToAppend, WrongExpectedRevision } from '@sanksi/event-store';
import type { Clock } from '../cases/clock';
import type { TrafficRowResult } from './traffic-rows.parser';

/** A row that was refused: its line (or item) number and why. */
export interface TrafficRowRejection {
  line: number;
  reason: string;
}

/** What one ingest did: rows read, facts recorded, rows that repeated a recorded fact, rows refused. */
export interface TrafficIngestReport {
  rows: number;
  recorded: number;
  duplicates: number;
  /** Rows refused: invalid ones, and those whose (domain, period, source) is recorded with another figure. */
  rejected: number;
  /** The first refused rows (up to `maxRejections`), in line order. */
  rejections: TrafficRowRejection[];
  /** The streams written to (`traffic-<source>-<period>`). */
  streams: string[];
}

/** How an ingest is attributed and batched. */
export interface TrafficIngestOptions {
  actor: Actor;
  correlationId?: string | null;
  /** Called after each appended batch with the rows read so far (progress bars). */
  onProgress?: (rowsRead: number) => void;
  /** How many refused rows the report lists (default: the service's, 1,000); the Kafka consumer needs all. */
  maxRejections?: number;
}

interface StreamState {
  /** Last revision, -1 for a stream that does not exist yet. */
  revision: number;
  /**
   * The recorded facts by domain, each with its figure (the stored fact itself: no copy per row). A
   * stream holds one (source, period), so its domain alone is the fact's key within it.
   */
  keys: Map<string, Figure>;
}

/** A row waiting in a batch, with the line it came from (for a refusal that names it). */
interface PendingRow {
  line: number;
  observation: TrafficObservationInput;
}

/** What a fact says about its key: visits and rank, compared to tell a repeat from a correction. */
type Figure = { visits?: number | null; rank?: number | null };

function sameFigure(a: Figure, b: Figure): boolean {
  return (a.visits ?? null) === (b.visits ?? null) && (a.rank ?? null) === (b.rank ?? null);
}

function describeFigure(o: { visits?: number | null; rank?: number | null }): string {
  return `visits ${o.visits ?? 'none'}, rank ${o.rank ?? 'none'}`;
}

/** The refusal of a row whose (domain, period, source) is already recorded with other visits or rank. */
export function conflictingFigureReason(o: TrafficObservationInput, recorded: Figure): string {
  return (
    `already recorded with a different figure: ${o.domain} ${o.period} from ${o.source} has ` +
    `${describeFigure(recorded)}, this row says ${describeFigure(o)} (a correction is not recorded, decision 0008)`
  );
}

const MAX_RETRIES = 8;

/** What appending one batch (or one stream's part of it) did. */
interface GroupOutcome {
  recorded: number;
  duplicates: number;
  /** Rows refused because their key is recorded with another figure. */
  conflicts: TrafficRowRejection[];
}

/** A UUID-shaped id derived from the fact's key: the same fact always has the same event id. */
function eventIdOf(key: string): string {
  // One-shot: a Hash object per row was 6 % of a file ingest's time (docs/benchmarks.md).
  const h = hash('sha1', `sanksi-traffic\u0000${key}`, 'hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Records traffic observations as `TrafficObserved` facts, one stream per (source, period). A fact is
 * recorded once: each stream's recorded keys are read before its first append and every append expects
 * the stream's revision, so a concurrent ingest of the same stream makes this one re-read and drop what
 * the other recorded (docs/decisions/0008).
 */
export class TrafficIngestService {
  private readonly states = new Map<string, StreamState>();
  private readonly batchSize: number;
  private readonly maxRejections: number;
  private readonly maxCachedStreams: number;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    options: { batchSize?: number; maxRejections?: number; maxCachedStreams?: number } = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.maxRejections = options.maxRejections ?? 1000;
    this.maxCachedStreams = options.maxCachedStreams ?? 16;
  }

  /** Records the valid rows of `rows` in batches and reports the refused ones; an empty input records nothing. */
  async ingest(
    rows: AsyncIterable<TrafficRowResult> | Iterable<TrafficRowResult>,
    options: TrafficIngestOptions,
  ): Promise<TrafficIngestReport> {
    const report: TrafficIngestReport = {
      rows: 0,
      recorded: 0,
      duplicates: 0,
      rejected: 0,
      rejections: [],
      streams: [],
    };
    const streams = new Set<string>();
    const maxRejections = options.maxRejections ?? this.maxRejections;
    let batch: PendingRow[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const done = await this.record(batch, options, streams);
      report.recorded += done.recorded;
      report.duplicates += done.duplicates;
      report.rejected += done.conflicts.length;
      for (const c of done.conflicts) if (report.rejections.length < maxRejections) report.rejections.push(c);
      batch = [];
      options.onProgress?.(report.rows);
    };
    for await (const row of rows) {
      report.rows++;
      if (row.ok) {
        batch.push({ line: row.line, observation: row.observation });
        if (batch.length >= this.batchSize) await flush();
      } else {
        report.rejected++;
        if (report.rejections.length < maxRejections)
          report.rejections.push({ line: row.line, reason: row.reason });
      }
    }
    await flush();
    options.onProgress?.(report.rows);
    // Conflicts are found when their batch is appended, after later rows may have been refused.
    report.rejections.sort((a, b) => a.line - b.line);
    report.streams = [...streams].sort();
    return report;
  }

  /** Appends one batch: grouped by stream, each group minus the facts its stream already has. */
  private async record(
    rows: readonly PendingRow[],
    options: TrafficIngestOptions,
    streams: Set<string>,
  ): Promise<GroupOutcome> {
    const groups = new Map<string, PendingRow[]>();
    // A file is nearly always one source and period: name the stream again only when they change.
    let source = '';
    let period = '';
    let group: PendingRow[] | undefined;
    for (const o of rows) {
      if (group === undefined || o.observation.source !== source || o.observation.period !== period) {
        source = o.observation.source;
        period = o.observation.period;
        const id = trafficStreamId(source, period);
        group = groups.get(id);
        if (group === undefined) groups.set(id, (group = []));
      }
      group.push(o);
    }
    const recordedAt = this.clock.now().toISOString();
    const results = await Promise.all(
      [...groups].map(([streamId, group]) => this.appendGroup(streamId, group, recordedAt, options)),
    );
    for (const [streamId] of groups) streams.add(streamId);
    return results.reduce(
      (a, r) => ({
        recorded: a.recorded + r.recorded,
        duplicates: a.duplicates + r.duplicates,
        conflicts: [...a.conflicts, ...r.conflicts],
      }),
      { recorded: 0, duplicates: 0, conflicts: [] },
    );
  }

  /**
   * Appends the rows of one stream that are new. A row whose key is recorded (or earlier in the batch)
   * with the same figure is a duplicate; with another figure it is refused as a conflict, never recorded.
   */
  private async appendGroup(
    streamId: string,
    group: readonly PendingRow[],
    recordedAt: string,
    options: TrafficIngestOptions,
  ): Promise<GroupOutcome> {
    for (let attempt = 0; ; attempt++) {
      const state = await this.stateOf(streamId);
      // The batch's new facts by domain (one stream: one source and period), in the order first seen.
      const fresh = new Map<string, TrafficObserved>();
      const conflicts: TrafficRowRejection[] = [];
      let duplicates = 0;
      // One period and source string for the whole stream: the facts kept for dedupe (a million in a big
      // file) share them instead of holding two small strings each, which the collector marks again and again.
      const { period, source } = group[0].observation;
      for (const { line, observation: o } of group) {
        const known = state.keys.get(o.domain) ?? fresh.get(o.domain);
        if (known === undefined) {
          fresh.set(o.domain, {
            domain: o.domain,
            period: o.period === period ? period : o.period,
            visits: o.visits ?? null,
            rank: o.rank ?? null,
            source: o.source === source ? source : o.source,
          });
        } else if (sameFigure(known, o)) duplicates++;
        else conflicts.push({ line, reason: conflictingFigureReason(o, known) });
      }
      if (fresh.size === 0) return { recorded: 0, duplicates, conflicts };
      const metadata = { recordedAt, actor: options.actor, correlationId: options.correlationId ?? null };
      const events: EventToAppend[] = [];
      for (const data of fresh.values()) {
        events.push({
          eventId: eventIdOf(trafficObservationKey(data)),
          type: TRAFFIC_OBSERVED,
          data,
          metadata,
        });
      }
      try {
        const result = await this.store.appendToStream(streamId, events, {
          expectedRevision: state.revision < 0 ? 'no_stream' : state.revision,
        });
        state.revision = result.nextExpectedRevision;
        for (const [domain, data] of fresh) state.keys.set(domain, data);
        return { recorded: fresh.size, duplicates, conflicts };
      } catch (e) {
        // Another ingest appended to this stream meanwhile: read what it recorded and try again.
        this.states.delete(streamId);
        if (!(e instanceof WrongExpectedRevision) || attempt >= MAX_RETRIES) throw e;
      }
    }
  }

  /** The recorded keys and revision of a stream, read once and then kept up to date by this service. */
  private async stateOf(streamId: string): Promise<StreamState> {
    const known = this.states.get(streamId);
    if (known) {
      // Most recently used last: the oldest entry is the one dropped.
      this.states.delete(streamId);
      this.states.set(streamId, known);
      return known;
    }
    const state: StreamState = { revision: -1, keys: new Map() };
    const page = 10_000;
    for (;;) {
      const events = await this.store.readStream(streamId, { from: state.revision + 1, limit: page });
      for (const e of events) {
        const d = e.data as Partial<TrafficObserved>;
        if (typeof d.domain === 'string') state.keys.set(d.domain, d);
        state.revision = e.revision;
      }
      if (events.length < page) break;
    }
    this.states.set(streamId, state);
    while (this.states.size > this.maxCachedStreams) {
      const oldest = this.states.keys().next().value;
      if (oldest === undefined) break;
      this.states.delete(oldest);
    }
    return state;
  }
}
