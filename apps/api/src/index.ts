export { createApiApp } from './api-app';
export { ApiModule, type ApiModuleOptions } from './api.module';
export { ApiKeyRegistry, loadOrCreateKeyFile, ROLES, type Role } from './auth/api-keys';
export { noWorkers, type WorkerStatus, type WorkerStatusSource } from './ops/worker-status';
export { renderBlocklist } from './feeds/published-blocklist';
export {
  BLOCKLIST_FORMATS,
  type BlocklistFormat,
  type DroppedBlocklistEntry,
} from './feeds/blocklist-formats';
