export { elapseKey, escalationKey, ELAPSE_KEY_PREFIX, type DueDeadlineRef } from './deadline-key';
export {
  DeadlineScheduler,
  SCHEDULER_ACTOR,
  type DeadlineSchedulerOptions,
  type SchedulerStatus,
  type SchedulerTickResult,
} from './deadline-scheduler';
