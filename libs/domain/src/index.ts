export * from './pse-case/pse-case.events';
export * from './pse-case/pse-case.commands';
export * from './pse-case/pse-case.errors';
export {
  emptyContext,
  fineOutstanding,
  wasSanctioned,
  type FineRecord,
  type PseCaseContext,
} from './pse-case/pse-case.state';
export { pseCaseMachine, type EscalationParams, type PseCaseMachine } from './pse-case/pse-case.machine';
export {
  evolve,
  evolveWithActions,
  fineTotals,
  foldCase,
  initialCaseSnapshot,
  isOnBlocklist,
  stateOf,
  toStateAfter,
  type PseCaseSnapshot,
} from './pse-case/pse-case.fold';
export { allowedCommands, decide, ESCALATION_ACTOR, type Decision } from './pse-case/pse-case.decider';
export { allowedSanctions, isAfterRegistrationDeadline } from './pse-case/pse-case.rules';
export * from './policies';
export * from './history';
export * from './calendar';
export { statechartMarkdown, statechartMermaid } from './diagram/statechart-diagram';
