/**
 * Where a relay remembers the global position of the last event the broker acknowledged.
 * `load` returns 0 for a name never saved (read from the start); `save` never moves a checkpoint back.
 */
export interface CheckpointStore {
  load(name: string): Promise<number>;
  save(name: string, position: number): Promise<void>;
  close(): Promise<void>;
}
