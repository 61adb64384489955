export * from './read-model.errors';
export type {
  ProjectorEventSource,
  SourceEvent,
  ReadAllOptions,
  SubscribeOptions,
} from './events/event-source.port';
export {
  CASE_STATES,
  SETTLED_STATES,
  toReadModelEvent,
  type CaseState,
  type CaseStateAfter,
  type CaseDeadline,
  type ReadModelEvent,
} from './events/read-model-event';
export { businessDate, businessMonth, formatWib, formatRupiah } from './time.util';
export { projectCaseSummary, type CaseSummaryRow } from './projections/case-summary.projection';
export {
  projectTimelineEntry,
  describeEvent,
  DESCRIBED_EVENT_TYPES,
  type CaseTimelineRow,
} from './projections/case-timeline.projection';
export {
  projectBlocklistEntry,
  diffBlocklist,
  normaliseDomains,
  normaliseIpAddresses,
  type BlocklistEntryKind,
  type CaseBlocklistEntry,
  type CaseBlocklistListing,
  type BlocklistChange,
} from './projections/blocklist.projection';
export {
  projectStateTransition,
  NO_STATE,
  type StateTransitionRow,
  type PreviousState,
} from './projections/state-transitions.projection';
export {
  projectFine,
  fineMonthDelta,
  UnknownFine,
  type FineRow,
  type FineStatus,
  type FinesMonthDelta,
} from './projections/fines.projection';
export {
  projectWarningToRegistration,
  type WarningToRegistrationRow,
} from './projections/warning-to-registration.projection';
export { projectDeadlines, type DeadlineRow } from './projections/deadlines.projection';
export {
  projectRegistryEntry,
  type RegistryRow,
  type RegistryStatus,
} from './projections/registry.projection';
export {
  planBatch,
  advanceContext,
  domainKey,
  caseAddresses,
  type CaseAddress,
  type BatchContext,
  type BatchChanges,
  type TransitionsDailyDelta,
} from './projections/batch-planner';
export * from './store/read-model-store.port';
export {
  projectTrafficObservation,
  TRAFFIC_CHECKPOINT,
  type TrafficObservationRow,
} from './projections/traffic.projection';
export { toSqlWrites, type SqlWrite } from './store/batch-writes';
export { createReadModelStore, type ReadModelStoreConfig } from './store/create-read-model-store';
export type { ReadModelTuning } from './store/sql-read-model.store';
export {
  READ_MODEL_MIGRATIONS,
  PROJECTED_TABLES,
  projectedContentSql,
  type SqlDialect,
  type ReadModelMigration,
} from './store/read-model.schema';
export {
  Projector,
  ProjectorLeaseLost,
  type CatchUpResult,
  type ProjectorOptions,
  type ProjectorStatus,
  type ProjectorError,
  type ProjectorLogger,
} from './projector/projector';
