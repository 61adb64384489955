/**
 * Where a relay remembers the global position of the last event the broker acknowledged.
 * `load` returns 0 for a name never saved (read from the start); `save` never moves a checkpoint back.
 */
export interface CheckpointStore {
  load(name: string): Promise<number>;
  save(name: string, position: number): Promise<void>;
  /**
   * Takes or renews the lease of `name` for `owner` until now + `ttlMs`: true when `owner` holds it
   * afterwards, false while another owner's lease has not expired. Two relays with one checkpoint
   * name would otherwise both publish everything.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it, so another relay takes over at once. */
  releaseLease(name: string, owner: string): Promise<void>;
  close(): Promise<void>;
}
