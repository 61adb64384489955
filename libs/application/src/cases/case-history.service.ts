import {
  canonicalEqual,
  foldCase,
  type PseCaseEventEnvelope,
  replay,
  type ReplayStep,
  stateAsOf,
  replayedStateLike,
  verifyChain,
} from '@sanksi/domain';
import type { KeyObject } from 'node:crypto';
import { caseStreamId, fromRecorded } from '@sanksi/contracts';
import type { EventStore } from '@sanksi/event-store';
import { CaseNotFound } from '@sanksi/domain';
import { buildEvidencePack, evidencePublicKey, type EvidencePack } from '../evidence/evidence-pack';
import type { Clock } from './clock';

/** A case as it stood at business time `asOf`, as known at record time `knownAt`. */
export interface CaseStateView {
  pseId: string;
  asOf: string;
  knownAt: string;
  version: number;
  state: string | null;
  substate: string | null;
  context: unknown;
}

/** Reads a case's authoritative history from the event store: events, replay, as-of, evidence. */
export class CaseHistoryService {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly signingKey: () => KeyObject,
  ) {}

  /** The case's stored events, oldest first; `CaseNotFound` when there are none. */
  async events(pseId: string): Promise<PseCaseEventEnvelope[]> {
    const recorded = await this.store.readStream(caseStreamId(pseId));
    if (recorded.length === 0) throw new CaseNotFound(pseId);
    return recorded.map((event) => fromRecorded(event));
  }

  /** Every step of the case: the event, the state after it and the transition taken. */
  async replay(pseId: string): Promise<ReplayStep[]> {
    return replay(await this.events(pseId));
  }

  /** Bitemporal state: business time `asOf` (default now) as known at `knownAt` (default now). */
  async stateAsOf(pseId: string, query: { asOf?: string; knownAt?: string }): Promise<CaseStateView> {
    const now = this.clock.now().toISOString();
    const asOf = query.asOf ?? now;
    const knownAt = query.knownAt ?? now;
    const events = await this.events(pseId);
    const view = stateAsOf(events, { asOf, knownAt });
    return {
      pseId,
      asOf,
      knownAt,
      version: view.eventCount,
      state: view.state?.state ?? null,
      substate: view.state?.substate ?? null,
      context: view.state,
    };
  }

  /** The signed, hash-chained export of the case. */
  async evidence(pseId: string): Promise<EvidencePack> {
    return buildEvidencePack(
      pseId,
      await this.events(pseId),
      this.signingKey(),
      this.clock.now().toISOString(),
    );
  }

  /** The public key evidence packs are signed with (base64 DER SPKI), for verifiers to pin. */
  evidencePublicKey(): string {
    return evidencePublicKey(this.signingKey());
  }

  /** Replays the case with the current machine and checks its hash chain. */
  async verify(pseId: string): Promise<{ chain: ReturnType<typeof verifyChain>; stateMatches: boolean }> {
    const events = await this.events(pseId);
    const chain = verifyChain(events);
    const last = events[events.length - 1];
    const replayed = replayedStateLike(foldCase(events), last);
    return { chain, stateMatches: canonicalEqual(replayed, last.state) };
  }
}
