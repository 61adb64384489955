export {
  deciderSpec,
  ScenarioError,
  type DeciderUnderTest,
  type DecisionOutcome,
  type Given,
  type Then,
} from './decider-spec';
export { idSequence, testClock } from './sequence';
