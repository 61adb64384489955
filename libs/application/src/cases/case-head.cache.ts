import type { PseCaseSnapshot } from '@sanksi/domain';

/**
 * What the command path needs of a case to decide a command without reading its stream: the folded
 * snapshot and how many events it has. No command ids: a retry decided on a head is caught by the
 * store, which never applies one command id twice on a stream and answers `duplicate` before it looks
 * at the expected revision; the command path then answers from the stream. Immutable: a newer head
 * replaces it.
 */
export interface CaseHead {
  /** The case folded from its events; undefined while it has none. */
  snapshot: PseCaseSnapshot | undefined;
  /** Events in the stream (the next append expects revision `version - 1`). */
  version: number;
}

/**
 * How many case heads one process keeps by default (`SANKSI_CASE_HEAD_CAPACITY`): a head is one snapshot,
 * about 1.4 KB of heap, so about 45 MB when full. Sized to the working set of a busy server: the cases
 * commanded in the last minutes (the HTTP bench warns every case it opened in the line before; at 4,096 a
 * run of ~5,000 missed every one), not the whole population.
 */
export const DEFAULT_CASE_HEAD_CAPACITY = 32_768;

/**
 * A bounded, least-recently-used map of case heads, per process. It is only a guess at the stream:
 * every append still carries the expected revision, so a head another writer has overtaken makes the
 * append fail and the case is read again from the store; see docs/benchmarks.md, "Command path".
 */
export class CaseHeadCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly heads = new Map<string, CaseHead>();

  constructor(readonly capacity: number = DEFAULT_CASE_HEAD_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`case head cache capacity must be an integer >= 0, got ${String(capacity)}`);
    }
  }

  /** The head last remembered for a case (and marks it recently used), if any. */
  get(pseId: string): CaseHead | undefined {
    const head = this.heads.get(pseId);
    if (head === undefined) return undefined;
    this.heads.delete(pseId);
    this.heads.set(pseId, head);
    return head;
  }

  /**
   * Remembers a head unless one at a later version is already held (a slow read finishing after a newer
   * append must not put the case back in time); evicts the least recently used past the capacity.
   */
  remember(pseId: string, head: CaseHead): void {
    if (this.capacity === 0) return;
    const held = this.heads.get(pseId);
    if (held !== undefined && held.version > head.version) return;
    this.heads.delete(pseId);
    this.heads.set(pseId, head);
    if (this.heads.size > this.capacity) {
      const oldest = this.heads.keys().next().value as string;
      this.heads.delete(oldest);
    }
  }

  /** Forgets a case (its head is in doubt: an append's outcome unknown, a retraction written). */
  forget(pseId: string): void {
    this.heads.delete(pseId);
  }

  /** How many heads are held. */
  get size(): number {
    return this.heads.size;
  }
}
