export {
  deciderSpec,
  ScenarioError,
  type DeciderUnderTest,
  type DecisionOutcome,
  type Given,
  type Then,
} from './decider-spec';
export { idSequence, testClock } from './sequence';
export { temporaryDirectory, type TemporaryDirectory } from './temporary-directory';
export {
  createTemporaryPostgresDatabase,
  postgresServerUrl,
  type TemporaryPostgresDatabase,
} from './temporary-postgres-database';
