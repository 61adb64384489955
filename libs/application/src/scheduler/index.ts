export { elapseKey, type DueDeadlineRef } from './deadline-key';
export {
  DeadlineScheduler,
  SCHEDULER_ACTOR,
  type DeadlineSchedulerOptions,
  type SchedulerStatus,
  type SchedulerTickResult,
} from './deadline-scheduler';
