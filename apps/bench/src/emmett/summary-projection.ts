import {
  projectCaseSummary,
  toReadModelEvent,
  type CaseSummaryRow,
  type SourceEvent,
} from '@sanksi/read-models';
import type { EmmettReadEvent } from './emmett-modules';

/** The inline projection both stores run: Sanksi's own case summary, parsed from the envelope, one row per case. */
export function foldSummary(row: CaseSummaryRow | undefined, event: SourceEvent): CaseSummaryRow {
  return projectCaseSummary(row, toReadModelEvent(event));
}

/** An Emmett read event as the projection reads it (Emmett's stream positions start at 1, Sanksi's revisions at 0). */
export function fromEmmett(event: EmmettReadEvent): SourceEvent {
  const m = event.metadata;
  return {
    eventId: String(m['messageId'] ?? m['eventId'] ?? ''),
    type: event.type,
    data: event.data,
    metadata: m,
    schemaVersion: 1,
    streamId: m.streamName,
    revision: Number(m.streamPosition) - 1,
    // Emmett hands inline projections no global position on SQLite (it is not known before the commit).
    position: m.globalPosition === undefined ? 0 : Number(m.globalPosition),
    createdAt: typeof m['recordedAt'] === 'string' ? m['recordedAt'] : '',
  };
}

/** The summary table's DDL, the same on every side (`json` is TEXT on SQLite and jsonb on PostgreSQL; position null where unknown). */
export function summaryTableSql(json: 'TEXT' | 'jsonb'): string {
  return `CREATE TABLE IF NOT EXISTS case_summaries (id TEXT PRIMARY KEY, doc ${json} NOT NULL, position BIGINT)`;
}
