export {
  loadConfig,
  ConfigurationInvalid,
  SanksiEnv,
  type SanksiConfig,
  type WorkerModule,
  WORKER_MODULES,
} from './config/sanksi-config';
export { kafkaSecurity } from './config/kafka-security';
export { toStoredEvent } from './cases/case-stream';
export { systemClock, ManualClock, randomIds, type Clock, type IdGenerator } from './cases/clock';
export { ConcurrentModification, IdempotencyKeyReused, VersionMismatch } from './cases/case-command.errors';
export {
  CaseCommandService,
  type CommandContext,
  type CommandOutcome,
  type LoadedCase,
} from './cases/case-command.service';
export { parseCommand, parsedAtTheEdge, type ParsedCommand } from './cases/parsed-command';
export { CaseHistoryService, type CaseStateView } from './cases/case-history.service';
export { listCaseIds, readCases, type CaseEvents } from './cases/case-population';
export {
  buildEvidencePack,
  configuredEvidencePublicKey,
  evidencePublicKey,
  evidenceSignedBytes,
  EvidencePack,
  EVIDENCE_FORMAT,
  loadOrCreateSigningKey,
  parseEd25519PublicKey,
  verifyEvidencePack,
  type EvidenceRejection,
  type EvidenceVerification,
  type EvidenceVerifyOptions,
} from './evidence/evidence-pack';
export { createRuntime, type RuntimeOptions, type SanksiRuntime } from './runtime/sanksi-runtime';
export {
  DEFAULT_PROJECTION_YOUNG_MB,
  DEFAULT_REPLAY_YOUNG_MB,
  DEFAULT_SIMULATE_YOUNG_MB,
  youngGenerationLimits,
} from './runtime/projection-heap';
export {
  ProjectorThread,
  ProjectorThreadFailed,
  ProjectorThreadRunFailed,
  ProjectorThreadUnavailable,
  type ProjectorThreadOptions,
  type ThreadProjection,
} from './runtime/projector-thread';
export { createSanksiLogger, LOG_REDACT_PATHS, LOG_REDACTION, REDACTED } from './runtime/sanksi-logger';
export { warnOfCalendarHorizon } from './calendar/calendar-horizon.warning';
export {
  describeError,
  SupervisedLoop,
  type LoopError,
  type LoopState,
  type LoopStatus,
  type SupervisedLoopOptions,
} from './runtime/supervised-loop';
export {
  SanksiMetrics,
  type CommandObserver,
  type CommandResult,
  type LoopStatusSource,
  type ObservedLoop,
} from './metrics/sanksi-metrics';
export * from './registry-import';
export * from './scheduler';
export * from './oss';
export * from './traffic';
