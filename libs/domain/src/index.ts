export * from './pse-case/pse-case.events';
export * from './pse-case/pse-case.commands';
export * from './pse-case/pse-case.fields';
export * from './pse-case/pse-case.errors';
export {
  emptyContext,
  fineOutstanding,
  wasSanctioned,
  type FineRecord,
  type PseCaseContext,
} from './pse-case/pse-case.state';
export {
  pseCaseMachine,
  type EscalationCause,
  type EscalationParams,
  type PseCaseMachine,
} from './pse-case/pse-case.machine';
export {
  evolve,
  evolveWithActions,
  fineTotals,
  effectiveHistory,
  foldCase,
  initialCaseSnapshot,
  startCaseFold,
  type CaseFold,
  isOnBlocklist,
  stateOf,
  replayedStateLike,
  snapshotFromRecorded,
  toRecordedState,
  withoutMemory,
  toStateAfter,
  type PseCaseSnapshot,
} from './pse-case/pse-case.fold';
export {
  catchUp,
  decide,
  decideOnHistory,
  DEADLINE_ACTOR,
  ENGINE_ACTOR,
  ELAPSE_COMMAND_PREFIX,
  elapseCommandId,
  isAutomatic,
  needsHistory,
  type Decision,
  type DecideOptions,
} from './pse-case/pse-case.decider';
export { allowedCommands, ESCALATION_ACTOR, isCommandAllowed } from './pse-case/pse-case.allowed';
export { eventIdFor } from './pse-case/pse-case.envelope';
export { allowedSanctions, isAfterRegistrationDeadline } from './pse-case/pse-case.rules';
export * from './policies';
export * from './history';
export * from './calendar';
export * from './hostname';
export {
  statechartGraph,
  statechartMarkdown,
  statechartMermaid,
  type StatechartGraph,
  type StatechartNode,
  type StatechartTransition,
} from './diagram/statechart-diagram';
export * from './traffic';
