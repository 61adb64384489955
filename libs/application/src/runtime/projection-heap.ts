import type { ResourceLimits } from 'node:worker_threads';

/**
 * The young generation of a thread that projects the log in batches — the projector thread of `serve` and
 * the thread of `simulate` and `projections rebuild`. A catch-up batch (5,000 events, each with its
 * recorded state) stays alive from its read to its commit, longer than V8's default young generation
 * (16 MiB semi-spaces) takes to fill: every scavenge copied the batch's live objects and promoted them, and
 * the old generation then collected what was garbage by the batch's end — a quarter of a rebuild's samples
 * were the garbage collector. With 384 MiB of young generation (V8's accounting: two 128 MiB semi-spaces and
 * as much again for large objects) most of a batch dies young. A ceiling, not an allocation: the space
 * grows only while batches are large (docs/benchmarks.md, "A projection thread's young generation").
 * `SANKSI_PROJECTION_YOUNG_MB` (0: V8's default).
 */
export const DEFAULT_PROJECTION_YOUNG_MB = 384;

/**
 * The young generation of a thread of `verify` or `what-if`: a slice's cases are read 64 streams a query and
 * stay alive while they replay, so at V8's default young generation the scavenges copied and promoted them.
 * At 100,000 systems 96 MiB took 14–30 % off a 2-worker replay's wall time and CPU on SQLite and PostgreSQL;
 * 384 MiB bought no more and doubled the threads' memory (docs/benchmarks.md, "Replay threads' young
 * generation"). `SANKSI_REPLAY_YOUNG_MB` (0: V8's default).
 */
export const DEFAULT_REPLAY_YOUNG_MB = 96;

/**
 * The young generation of a thread of `simulate`, which runs the command path for its systems: each turn
 * decides and appends the commands of 128 systems in flight, whose envelopes, canonical texts and statements
 * live until their transaction commits. At 100,000 systems 192 MiB took 8–13 % off the run's wall time
 * against V8's default on the main thread, alternated pair by pair (docs/benchmarks.md, "Simulate on a thread
 * of its own"). `SANKSI_SIMULATE_YOUNG_MB` (0: V8's default).
 */
export const DEFAULT_SIMULATE_YOUNG_MB = 192;

/** The worker `resourceLimits` of a thread (projection, replay, simulation) with a young generation of `youngMb` MiB (0: V8's default). */
export function youngGenerationLimits(youngMb: number): ResourceLimits {
  return youngMb > 0 ? { maxYoungGenerationSizeMb: youngMb } : {};
}
