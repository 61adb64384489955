export { parseCsv, parseCsvWithHeader } from './csv-parser';
export type { CsvRecord, CsvRow } from './csv-parser';
export { buildImportPlan } from './import-plan.builder';
export type {
  ImportedIdentification,
  ImportedSystem,
  ImportPlan,
  ImportStats,
  ImportStep,
  NoteStep,
  RegistrationConfirmedStep,
  RegistrationNumberChangedStep,
  RegistrationRestoredStep,
  Rejection,
  RejectionReason,
  RevokedStep,
  SourceRef,
  SuspendedStep,
} from './import-plan.types';
export {
  CHANGES_COLUMNS,
  ChangeRow,
  REGISTRATION_NUMBER_RE,
  RegistryOrigin,
  RegistryStatus,
  SNAPSHOT_COLUMNS,
  SnapshotRow,
} from './registry-rows.schema';
export { CsvMissingColumns, CsvUnterminatedQuote, RegistryImportError } from './registry-import.errors';
export type { RegistryImportErrorCode } from './registry-import.errors';
