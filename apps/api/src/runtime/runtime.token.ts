/** Nest injection token of the `SanksiRuntime` (the wired stores and services). */
export const SANKSI_RUNTIME = Symbol('SANKSI_RUNTIME');
