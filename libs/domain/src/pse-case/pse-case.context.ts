import type { Sanction } from '../policies/policy';
import type { Deadline, DeadlineKind, FineMemory, PolicyId } from './pse-case.events';

/** One fine's ledger: imposed once, paid in instalments, or annulled on appeal (docs/regulation.md §12.5). */
export type FineRecord = FineMemory;

/** Everything the statechart remembers of a case besides its state value. */
export interface PseCaseContext {
  pseId: string;
  name: string;
  origin: 'domestic' | 'foreign';
  domains: string[];
  /** App-store ids and public IP addresses; absent when the case names none. */
  appIds?: string[];
  ipAddresses?: string[];
  company: string | null;
  sector: string | null;
  policyVersion: PolicyId;
  registrationNumber: string | null;
  /** A submission awaiting its certificate while the case sits in a sanction state. */
  pendingSubmission: 'oss' | 'manual' | null;
  /** Normalised on that submission (kominfo-2022): a rejection or a lapsed follow-up brings the block back. */
  restoredOnSubmission: boolean;
  warnings: number;
  blocks: number;
  fines: Record<string, FineRecord>;
  fineCount: number;
  /** The furthest rung of the ladder reached so far; escalation continues from here. */
  highestSanction: Sanction | null;
  deadlines: Deadline[];
  escalation: { pending: boolean; allowed: string[] };
  since: string;
  /** Who moved the case into its current state (an operator, or the engine's automatic escalation). */
  sinceBy: string | null;
  /** Why an automatic escalation moved it there (e.g. `the warningResponse deadline elapsed`). */
  sinceCause: string | null;
  /** The deadline that elapsed last (what an automatic escalation that follows answers). */
  lastElapsed: DeadlineKind | null;
  /** How many times automatic events were retracted (re-derived elapses get fresh command ids). */
  retractions: number;
  lastOccurredAt: string | null;
  lastHash: string | null;
  revision: number;
}

/** The context of a case before `PseIdentified`. */
export function emptyContext(): PseCaseContext {
  return {
    pseId: '',
    name: '',
    origin: 'domestic',
    domains: [],
    company: null,
    sector: null,
    policyVersion: 'kominfo-2022',
    registrationNumber: null,
    pendingSubmission: null,
    restoredOnSubmission: false,
    warnings: 0,
    blocks: 0,
    fines: {},
    fineCount: 0,
    highestSanction: null,
    deadlines: [],
    escalation: { pending: false, allowed: [] },
    since: '',
    sinceBy: null,
    sinceCause: null,
    lastElapsed: null,
    retractions: 0,
    lastOccurredAt: null,
    lastHash: null,
    revision: -1,
  };
}

/** Deadlines without those of `kind` (and, for fines, only the given fine's). */
export function withoutDeadline(
  deadlines: Deadline[],
  kind: DeadlineKind,
  fineId?: string | null,
): Deadline[] {
  return deadlines.filter((d) => !(d.kind === kind && (fineId == null || d.fineId === fineId)));
}

/** Adds a deadline, replacing any of the same kind (and fine). */
export function withDeadline(deadlines: Deadline[], deadline: Deadline): Deadline[] {
  return [...withoutDeadline(deadlines, deadline.kind, deadline.fineId), deadline];
}

/** Outstanding rupiah of one fine. */
export function fineOutstanding(fine: FineRecord): number {
  return fine.annulled ? 0 : fine.amountIdr - fine.paidIdr;
}

/** Whether the case has ever been sanctioned (decides `registered` vs `reRegistered`). */
export function wasSanctioned(context: PseCaseContext): boolean {
  return context.highestSanction !== null || context.blocks > 0;
}
