import { z } from 'zod';
import { CaseState, Instant } from '../pse-case/pse-case.events';
import type { WhatIfReport } from './what-if';

const DATE_ONLY = z.iso.date();

/**
 * The business time a what-if simulates up to, as an edge accepts it: an ISO-8601 instant with offset, or
 * a date, meaning the end of that day in WIB (23:59:59+07:00, the instant deadlines fall due at,
 * docs/regulation.md §13.6).
 */
export const WhatIfUntil = z
  .string()
  .refine((v) => DATE_ONLY.safeParse(v).success || Instant.safeParse(v).success, {
    message:
      'must be an ISO-8601 instant with offset (2022-08-01T12:00:00+07:00) or a date (2022-08-01: the end of that day in WIB)',
  })
  .transform((v) => (DATE_ONLY.safeParse(v).success ? `${v}T23:59:59+07:00` : v));

/** A side of a what-if with no case at all (its `IdentifyPse` was refused, or came after `until`). */
export const NO_CASE = 'absent';

/** How many cases end in each state, as recorded and under the alternative policy, both at `until`. */
export interface WhatIfCounts {
  recorded: Record<string, number>;
  alternative: Record<string, number>;
}

/** Counts with no case in them. */
export function emptyWhatIfCounts(): WhatIfCounts {
  return { recorded: {}, alternative: {} };
}

/** Adds one case's final state on each side (the top-level state; `absent` for a side with no case). */
export function countWhatIf(counts: WhatIfCounts, report: Pick<WhatIfReport, 'final'>): void {
  const add = (side: Record<string, number>, state: string) => (side[state] = (side[state] ?? 0) + 1);
  add(counts.recorded, report.final.recorded?.state ?? NO_CASE);
  add(counts.alternative, report.final.alternative?.state ?? NO_CASE);
}

/** Adds counts of another part of the population (one worker's chunk) into `into`. */
export function addWhatIfCounts(into: WhatIfCounts, from: WhatIfCounts): void {
  for (const side of ['recorded', 'alternative'] as const) {
    for (const [state, n] of Object.entries(from[side])) into[side][state] = (into[side][state] ?? 0) + n;
  }
}

const stateOrder = new Map<string, number>([...CaseState.options, NO_CASE].map((s, i) => [s, i]));

/**
 * The counts as shown: both sides list the same states (every state either side reached, 0 where the other
 * did not), in the machine's order (`unregistered` … `exempted`, then `absent`), so the output does not
 * depend on which part of the population was counted first.
 */
export function orderedWhatIfCounts(counts: WhatIfCounts): WhatIfCounts {
  const rank = (state: string) => stateOrder.get(state) ?? stateOrder.size;
  const states = [...new Set([...Object.keys(counts.recorded), ...Object.keys(counts.alternative)])].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  const side = (from: Record<string, number>) => Object.fromEntries(states.map((s) => [s, from[s] ?? 0]));
  return { recorded: side(counts.recorded), alternative: side(counts.alternative) };
}
