export type { LogFields, LogLevel, TaskInstanceKey, TaskLogger } from './logging/logger.js';
export { Dag, type DagSpec, defineDag, isDag, TaskGroup } from './model/dag.js';
export {
  DagDefinitionError,
  InvalidInputError,
  LeaseConflictError,
  NonRetryableError,
  NotFoundError,
  OutputNotSerializableError,
  OutputTooLargeError,
  RetryAfter,
  SkipTask,
  TaskInterruptedError,
  TaskTimeoutError,
} from './model/errors.js';
export { assertValidId, ID_PATTERN, ID_RULE, isValidId } from './model/ids.js';
export {
  DEFAULT_POOL,
  DEFAULT_TASK_OPTIONS,
  type ResolvedTaskOptions,
  type TaskOptions,
  validateTaskOptions,
} from './model/options.js';
export {
  type ParamSpec,
  type ParamSpecs,
  type ParamValue,
  type ParamValues,
  resolveParams,
} from './model/params.js';
export {
  type AssetSchedule,
  dataIntervalOf,
  describeSchedule,
  logicalDatesBetween,
  type Schedule,
} from './model/schedule.js';
export {
  assertTransition,
  FINAL_TASK_STATES,
  InvalidTransitionError,
  isActive,
  isFailedState,
  isFinal,
  isFinalRunState,
  RUN_STATES,
  type RunState,
  TASK_STATES,
  type TaskState,
  TRANSITIONS,
} from './model/states.js';
export type { AnyTaskRef, OutputOf, TaskDefinition, TaskRef, TaskSpec } from './model/task.js';
export { TRIGGER_RULES, type TriggerRule } from './model/trigger-rule.js';
export type { DataInterval, TaskContext } from './runtime/context.js';
export { type RetryPolicy, retryDelayMs } from './scheduler/retry-policy.js';
export { addDays, logicalDateLabel, parseLogicalDate, toDs } from './time/dates.js';
