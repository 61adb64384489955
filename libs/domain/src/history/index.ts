export { canonicalEqual, canonicalJson, deterministicUuid, hashEnvelope, sha256Hex } from './hash';
export {
  explainTransition,
  replay,
  verifyRecordedStates,
  type ReplayStep,
  type ReplayTransition,
} from './replay';
export { eventsAsOf, stateAsOf, stateCountsAsOf, type AsOf, type CaseAsOf } from './state-as-of';
export { verifyChain, type ChainVerification } from './verify-chain';
export {
  recordedCommands,
  whatIf,
  type RecordedCommand,
  type WhatIfReport,
  type WhatIfStep,
} from './what-if';
export {
  addWhatIfCounts,
  countWhatIf,
  emptyWhatIfCounts,
  NO_CASE,
  orderedWhatIfCounts,
  type WhatIfCounts,
  WhatIfUntil,
} from './what-if-population';
