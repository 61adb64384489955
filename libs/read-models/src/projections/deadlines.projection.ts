import type { ReadModelEvent } from '../events/read-model-event';

/** One row of `deadlines`: a pending deadline of a case. */
export interface DeadlineRow {
  pseId: string;
  kind: string;
  dueAt: string;
  fineId: string | null;
  caseState: string;
}

/** The case's full set of pending deadlines after the event (they replace the previous set). */
export function projectDeadlines(event: ReadModelEvent): DeadlineRow[] {
  const seen = new Set<string>();
  const rows: DeadlineRow[] = [];
  for (const d of event.state.deadlines) {
    const key = `${d.kind}|${d.fineId ?? ''}|${d.dueAt}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
      pseId: event.pseId,
      kind: d.kind,
      dueAt: d.dueAt,
      fineId: d.fineId,
      caseState: event.state.state,
    });
  }
  return rows;
}
