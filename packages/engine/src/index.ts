export type {
  BackfillAction,
  BackfillDateResult,
  BackfillOptions,
  BackfillPlan,
  BackfillPlanEntry,
  BackfillResult,
  ClearOptions,
  ClearResult,
  DagRegistry,
  EngineEvent,
  Reprocess,
  RunOptions,
  RunResult,
  RunSummary,
  TaskSummary,
  TestTaskOptions,
  TestTaskResult,
} from './engine/api-types.js';
export { Engine, type EngineOptions, toDate } from './engine/engine.js';
export type { Executor, ExecutorListener, TryOutcome, TryPlacement } from './executor/executor.js';
export { InProcessExecutor, type InProcessExecutorDeps } from './executor/in-process-executor.js';
export {
  describeOsError,
  isPermanentOsError,
  type OsErrorFields,
  permanentOsErrorIn,
} from './executor/permanent-errors.js';
export { ProcessPoolExecutor, type ProcessPoolOptions } from './executor/process-pool.js';
export type { TryDescriptor, TryFence, TryJob, TrySecrets } from './executor/try-descriptor.js';
export type { LogFields, LogLevel, TaskInstanceKey, TaskLogger } from './logging/logger.js';
export { SecretMasker } from './logging/mask.js';
export { Dag, type DagSpec, defineDag, isDag, TaskGroup } from './model/dag.js';
export {
  DagDefinitionError,
  InvalidInputError,
  LeaseConflictError,
  LeaseLostError,
  NonRetryableError,
  NotFoundError,
  OutputNotSerializableError,
  OutputTooLargeError,
  RetryAfter,
  SkipTask,
  TaskInterruptedError,
  TaskTimeoutError,
  WorkerCrashedError,
} from './model/errors.js';
export { assertValidId, ID_PATTERN, ID_RULE, isValidId } from './model/ids.js';
export {
  assertScheduledLogicalDate,
  type LogicalDateInput,
  type ScheduledDag,
  type ScheduledNeighbours,
  scheduledNeighbours,
} from './model/logical-date.js';
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
export { MAX_OUTPUT_BYTES } from './runtime/output.js';
export { type RetryPolicy, retryDelayMs } from './scheduler/retry-policy.js';
export {
  countUpstream,
  decide as decideTriggerRule,
  type TriggerDecision,
  type UpstreamCounts,
} from './scheduler/trigger-rules.js';
export { MemoryRunStore } from './store/memory-store.js';
export { SCHEMA_VERSION } from './store/migrations.js';
export type {
  AssetEventRecord,
  DagRunRecord,
  Fence,
  LeaseClaim,
  LeaseInfo,
  LeaseResult,
  NewRun,
  RunFilter,
  RunType,
  StateChange,
  TaskInstanceRecord,
  TryRecord,
} from './store/records.js';
export type { RunStore } from './store/run-store.js';
export { SqliteRunStore } from './store/sqlite-store.js';
export { StateStoreError } from './store/state-store-error.js';
export { type Clock, ManualClock, systemClock } from './time/clock.js';
export { addDays, logicalDateLabel, parseLogicalDate, toDs } from './time/dates.js';
