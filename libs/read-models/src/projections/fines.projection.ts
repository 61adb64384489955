import { z } from 'zod';
import type { ReadModelEvent } from '../events/read-model-event';
import { businessMonth, isInstant, toUtcIso } from '../time.util';
import type { CaseSummaryRow } from './case-summary.projection';

/** Status of one fine. */
export type FineStatus = 'outstanding' | 'partiallyPaid' | 'paid' | 'annulled';

/** One row of `fines`: a fine imposed on a case, with its payments and annulment. */
export interface FineRow {
  pseId: string;
  fineId: string;
  decisionNumber: string | null;
  amountIdr: number;
  imposedAt: string;
  paymentDeadline: string | null;
  paidIdr: number;
  lastPaidAt: string | null;
  annulledAt: string | null;
  annulmentReason: string | null;
  status: FineStatus;
}

const rupiah = z.number().int().nonnegative();
const optionalInstant = z
  .string()
  .refine(isInstant, { message: 'not an ISO-8601 instant' })
  .transform(toUtcIso)
  .nullish()
  .transform((v) => v ?? null);
const FineImposedData = z.object({
  fineId: z.string().min(1),
  decisionNumber: z.string().nullish(),
  amountIdr: rupiah,
  paymentDeadline: optionalInstant,
});
const FinePaidData = z.object({ fineId: z.string().min(1), amountIdr: rupiah });
const FineAnnulledData = z.object({ fineId: z.string().min(1), reason: z.string().nullish() });

const FINE_EVENTS = new Set(['FineImposed', 'FinePaid', 'FineAnnulled']);

/** The fine an event is about, or undefined when it is not a fine event. */
export function fineIdOf(event: ReadModelEvent): string | undefined {
  if (!FINE_EVENTS.has(event.type)) return undefined;
  const id = event.data['fineId'];
  return typeof id === 'string' ? id : undefined;
}

/** Thrown by the fines projection when an event refers to a fine it has never seen imposed. */
export class UnknownFine extends Error {
  readonly code = 'UNKNOWN_FINE';
  constructor(readonly fineId: string) {
    super(`no fine ${fineId} was imposed on this case`);
    this.name = 'UnknownFine';
  }
}

function statusOf(amountIdr: number, paidIdr: number): FineStatus {
  if (paidIdr >= amountIdr) return 'paid';
  return paidIdr > 0 ? 'partiallyPaid' : 'outstanding';
}

/** Folds a fine event into its fine's row; other events leave it alone. Payments are per fine (docs/regulation.md §12.5). */
export function projectFine(row: FineRow | undefined, event: ReadModelEvent): FineRow | undefined {
  switch (event.type) {
    case 'FineImposed': {
      const d = FineImposedData.parse(event.data);
      return {
        pseId: event.pseId,
        fineId: d.fineId,
        decisionNumber: d.decisionNumber ?? null,
        amountIdr: d.amountIdr,
        imposedAt: event.occurredAt,
        paymentDeadline: d.paymentDeadline,
        paidIdr: 0,
        lastPaidAt: null,
        annulledAt: null,
        annulmentReason: null,
        status: statusOf(d.amountIdr, 0),
      };
    }
    case 'FinePaid': {
      const d = FinePaidData.parse(event.data);
      if (!row) throw new UnknownFine(d.fineId);
      const paidIdr = row.paidIdr + d.amountIdr;
      return {
        ...row,
        paidIdr,
        lastPaidAt: event.occurredAt,
        status: row.status === 'annulled' ? 'annulled' : statusOf(row.amountIdr, paidIdr),
      };
    }
    case 'FineAnnulled': {
      const d = FineAnnulledData.parse(event.data);
      if (!row) throw new UnknownFine(d.fineId);
      return { ...row, annulledAt: event.occurredAt, annulmentReason: d.reason ?? null, status: 'annulled' };
    }
    default:
      return row;
  }
}

/** A change to `fines_monthly`. */
export interface FinesMonthDelta {
  month: string;
  imposedCount: number;
  imposedIdr: number;
  paidCount: number;
  paidIdr: number;
  annulledCount: number;
  annulledIdr: number;
}

/**
 * What an event adds to its business month's fine totals, from the difference of the recorded
 * fine totals before and after it (so the figures are the domain's, not recomputed here).
 */
export function fineMonthDelta(
  before: CaseSummaryRow | undefined,
  event: ReadModelEvent,
): FinesMonthDelta | undefined {
  const f = event.state.fines;
  const imposedIdr = f.imposedIdr - (before?.finesImposedIdr ?? 0);
  const paidIdr = f.paidIdr - (before?.finesPaidIdr ?? 0);
  const annulledIdr = f.annulledIdr - (before?.finesAnnulledIdr ?? 0);
  const imposedCount = event.type === 'FineImposed' ? 1 : 0;
  const paidCount = event.type === 'FinePaid' ? 1 : 0;
  const annulledCount = event.type === 'FineAnnulled' ? 1 : 0;
  if (
    imposedIdr === 0 &&
    paidIdr === 0 &&
    annulledIdr === 0 &&
    imposedCount + paidCount + annulledCount === 0
  ) {
    return undefined;
  }
  return {
    month: businessMonth(event.occurredAt),
    imposedCount,
    imposedIdr,
    paidCount,
    paidIdr,
    annulledCount,
    annulledIdr,
  };
}
