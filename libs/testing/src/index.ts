export {
  deciderSpec,
  ScenarioError,
  type DeciderUnderTest,
  type DecisionOutcome,
  type Given,
  type Then,
} from './decider-spec';
export { eventually, waitUntil } from './eventually';
export { freePort } from './free-port';
export { idSequence, testClock } from './sequence';
export { startPrivatePostgres, type PrivatePostgres, type PrivatePostgresOptions } from './private-postgres';
export { TEST_PROJECTOR_LEASE_TTL_MS } from './projector-lease';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { temporaryDirectory, type TemporaryDirectory } from './temporary-directory';
export {
  createTemporaryPostgresDatabase,
  postgresServerUrl,
  type TemporaryPostgresDatabase,
} from './temporary-postgres-database';
export * from './reliability-figures';
