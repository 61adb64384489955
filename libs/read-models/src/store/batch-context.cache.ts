import type { BatchContext } from '../projections/batch-planner';

type Fine = BatchContext['fines'] extends Map<string, infer F> ? F : never;

/** A context with no rows. */
export function emptyBatchContext(): BatchContext {
  return {
    summaries: new Map(),
    blocklist: new Map(),
    registry: new Map(),
    warningToRegistration: new Map(),
    fines: new Map(),
    deadlines: new Map(),
  };
}

/**
 * The rows of recently projected cases, kept by the store that wrote them so a batch only loads
 * the cases it has not seen. Valid exactly while the checkpoint is where this store's last commit
 * put it: only `applyBatch` and `reset` write projected tables, and both move the checkpoint, so
 * any other writer (a second projector, a rebuild elsewhere) shows as a different position.
 */
export class BatchContextCache {
  private checkpoint: string | null = null;
  private position: number | null = null;
  private context = emptyBatchContext();
  /** Cases whose rows (or their absence) the context holds completely. */
  private readonly known = new Set<string>();
  /**
   * The cached fines by case: a batch looks up its own cases' fines instead of scanning every fine of
   * the cache (which grew with the population, up to the capacity, on every batch).
   */
  private finesByCase = new Map<string, Map<string, Fine>>();

  constructor(private readonly capacity = 50_000) {}

  /** The cases of `pseIds` the cache cannot answer for at this checkpoint position. */
  missing(checkpoint: string, position: number, pseIds: readonly string[]): string[] {
    if (this.checkpoint !== checkpoint || this.position !== position) this.clear();
    return pseIds.filter((id) => !this.known.has(id));
  }

  /** The batch's context: cached rows for the known cases, `loaded` rows for the rest. */
  contextFor(pseIds: readonly string[], loaded: BatchContext): BatchContext {
    const out = emptyBatchContext();
    const cached = new Set(pseIds.filter((id) => this.known.has(id)));
    for (const id of pseIds) {
      const from = cached.has(id) ? this.context : loaded;
      const summary = from.summaries.get(id);
      if (summary) out.summaries.set(id, summary);
      const listed = from.blocklist.get(id);
      if (listed) out.blocklist.set(id, listed);
      const registered = from.registry.get(id);
      if (registered) out.registry.set(id, registered);
      const w2r = from.warningToRegistration.get(id);
      if (w2r) out.warningToRegistration.set(id, w2r);
      const pending = from.deadlines.get(id);
      if (pending) out.deadlines.set(id, pending);
    }
    for (const id of cached)
      for (const [key, fine] of this.finesByCase.get(id) ?? []) out.fines.set(key, fine);
    for (const [key, fine] of loaded.fines) if (!cached.has(fine.pseId)) out.fines.set(key, fine);
    return out;
  }

  /** Records the committed state of the batch's cases at the checkpoint's new position. */
  committed(checkpoint: string, position: number, pseIds: readonly string[], after: BatchContext): void {
    if (this.known.size + pseIds.length > this.capacity) this.clear();
    this.checkpoint = checkpoint;
    this.position = position;
    for (const id of pseIds) {
      this.known.add(id);
      setOrDelete(this.context.summaries, id, after.summaries.get(id));
      setOrDelete(this.context.blocklist, id, after.blocklist.get(id));
      setOrDelete(this.context.registry, id, after.registry.get(id));
      setOrDelete(this.context.warningToRegistration, id, after.warningToRegistration.get(id));
      setOrDelete(this.context.deadlines, id, after.deadlines.get(id));
    }
    const batch = new Set(pseIds);
    for (const [key, fine] of after.fines) {
      if (!batch.has(fine.pseId)) continue;
      let own = this.finesByCase.get(fine.pseId);
      if (!own) this.finesByCase.set(fine.pseId, (own = new Map()));
      own.set(key, fine);
    }
  }

  /** Forgets everything (after a reset, or when another writer moved the checkpoint). */
  clear(): void {
    this.checkpoint = null;
    this.position = null;
    this.context = emptyBatchContext();
    this.finesByCase = new Map();
    this.known.clear();
  }
}

function setOrDelete<V>(map: Map<string, V>, key: string, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
