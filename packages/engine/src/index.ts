/**
 * `@streampro/engine`: typed DAGs and the engine that runs them durably.
 *
 * @example
 * ```ts
 * import { defineDag, Engine, NonRetryableError } from '@streampro/engine';
 *
 * export const daily = defineDag({
 *   id: 'daily_counts',
 *   schedule: '@daily', // run D covers [D, D+1) and is for logical date D
 *   startDate: '2025-09-01',
 *   params: { limit: { default: 1000 } },
 *   defaultTaskOptions: { retries: 2, retryDelay: 5_000, executionTimeout: 60_000 },
 * });
 * const extract = daily.task({ id: 'extract', run: async (ctx) => [ctx.ds, ctx.params.limit] as const });
 * daily.task({
 *   id: 'load',
 *   upstream: [extract],
 *   run: (ctx) => {
 *     const [ds, limit] = ctx.upstream(extract); // typed by extract's output
 *     if (limit < 1) throw new NonRetryableError('limit must be positive'); // fails at once, no retry
 *     ctx.log.info('loading', { ds });
 *   },
 * });
 *
 * // Runs (or resumes) the run of 2025-09-09 in this process; the `dag` CLI runs each try in a worker
 * // process instead (`ProcessPoolExecutor`, with `dagFile` so workers can import the DAG).
 * const engine = await Engine.open({ home: '.streampro' });
 * const result = await engine.run(daily, { logicalDate: '2025-09-09' });
 * await engine.close();
 * ```
 *
 * What a user must know:
 * - A run is identified by DAG and logical date; running a date again resumes it (successful tasks keep
 *   their outputs) and params recorded with the run are reused unless new ones are given.
 * - A task body receives a `TaskContext`: typed params, `upstream(ref)`, a logger writing to the try's log,
 *   an `AbortSignal` (timeout, cancellation). Outputs are JSON, at most 64 KiB.
 * - Resources (`defineResource({ open, close })`, listed in `defineDag({ resources })`) reach a body typed on
 *   `ctx.resources`: each is opened on its first `await` in a try, in the process running it, and closed
 *   after the try whatever its outcome.
 * - Errors steer retries: `NonRetryableError` fails at once, `SkipTask` skips, `RetryAfter` sets the delay;
 *   anything else is retried by the task's policy.
 * - One process owns a run at a time (a lease with an epoch); writes of a process that lost it are refused.
 * - `setup: true` / `teardownOf: [setup]` declare setup and teardown tasks: the teardown runs after the tasks
 *   between them even when they failed, does not decide the run's state (unless `failRunOnFailure`), and
 *   clearing a task between them clears both.
 *
 * Building blocks of the scheduler, stores and executors for this repository's tests and benchmarks are in
 * `@streampro/engine/internal`, without a stability promise.
 */

export { openQueueDatabase, type QueueDatabase } from './distributed/queue-database.js';
export { QueueExecutor, type QueueExecutorOptions } from './distributed/queue-executor.js';
export { type WorkerEvent, WorkerService, type WorkerServiceOptions } from './distributed/worker-service.js';
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
  SetTaskStateResult,
  TaskSummary,
  TestTaskOptions,
  TestTaskResult,
  TriggerOptions,
} from './engine/api-types.js';
export { Engine, type EngineOptions, toDate } from './engine/engine.js';
export { processAlive } from './engine/lease.js';
export type { RequeueCondition } from './engine/run-control.js';
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
export { isLineOf, linesOf, RUN_LOG_FILE, runLogPath, textOf } from './logging/run-log.js';
export { Dag, type DagSpec, defineDag, isDag, type MapPartial, TaskGroup } from './model/dag.js';
export {
  DagDefinitionError,
  InvalidInputError,
  LeaseConflictError,
  LeaseLostError,
  MapExpansionError,
  NonRetryableError,
  NotFoundError,
  OutputNotSerializableError,
  OutputTooLargeError,
  RetryAfter,
  SkipTask,
  TaskInterruptedError,
  TaskTimeoutError,
  WorkerCrashedError,
  WorkerLostError,
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
  baseTaskId,
  byTaskOrder,
  DEFAULT_MAX_MAP_LENGTH,
  mappedTaskId,
  parseMappedTaskId,
} from './model/map-index.js';
export type { Callback, Callbacks, Notification, Notifier } from './model/notification.js';
export {
  DEFAULT_POOL,
  DEFAULT_QUEUE,
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
export type { PartitionWindow } from './model/partition-window.js';
export {
  defineResource,
  isResource,
  type Resource,
  type ResourceContext,
  type ResourceHandles,
  type ResourceSpec,
  type ResourceSpecs,
  type ResourceValue,
} from './model/resource.js';
export {
  type AssetSchedule,
  type CronSchedule,
  dataIntervalOf,
  describeSchedule,
  logicalDatesBetween,
  type Schedule,
} from './model/schedule.js';
export type { TaskRole } from './model/setup-teardown.js';
export {
  FINAL_TASK_STATES,
  InvalidTransitionError,
  isActive,
  isFailedState,
  isFinal,
  isFinalRunState,
  isMarkableTaskState,
  MARKABLE_TASK_STATES,
  type MarkableTaskState,
  RUN_STATES,
  type RunState,
  TASK_STATES,
  type TaskState,
} from './model/states.js';
export type {
  AnyTaskRef,
  BranchRef,
  BranchSpec,
  MapArgs,
  MapDefinition,
  MapSpec,
  OutputOf,
  TaskDefinition,
  TaskRef,
  TaskSpec,
} from './model/task.js';
export { TRIGGER_RULES, type TriggerRule } from './model/trigger-rule.js';
export { type CommandOptions, commandNotifier } from './notify/command.js';
export { type WebhookOptions, webhookNotifier } from './notify/webhook.js';
export type { DataInterval, TaskContext } from './runtime/context.js';
export { MAX_OUTPUT_BYTES } from './runtime/output.js';
export {
  type SchedulerEvent,
  SchedulerService,
  type SchedulerServiceOptions,
} from './scheduler/scheduler-service.js';
export type {
  BackfillDateRecord,
  BackfillRecord,
  BackfillReprocess,
  BackfillState,
  BackfillStore,
  NewBackfill,
  NewBackfillDate,
} from './store/backfill-records.js';
export { MemoryRunStore } from './store/memory-store.js';
export { SCHEMA_VERSION } from './store/migrations.js';
export { openRunStore } from './store/open-store.js';
export {
  assertValidPool,
  PENDING_CLAIM_MS,
  type PoolClaim,
  type PoolRecord,
  type PoolStore,
  type PoolUsage,
} from './store/pool-records.js';
export { POSTGRES_SCHEMA_VERSION } from './store/postgres-migrations.js';
export { PostgresRunStore } from './store/postgres-store.js';
export type {
  AssetEventRecord,
  DagRunRecord,
  DagStateRecord,
  Fence,
  LeaseClaim,
  LeaseInfo,
  LeaseResult,
  NewRun,
  RunFilter,
  RunType,
  SchedulerRecord,
  StateChange,
  TaskGridQuery,
  TaskGridRun,
  TaskInstanceRecord,
  TryRecord,
} from './store/records.js';
export type { RunStore } from './store/run-store.js';
export { SqliteRunStore } from './store/sqlite-store.js';
export { StateStoreError, type StateStoreErrorReason } from './store/state-store-error.js';
export { type Clock, ManualClock, systemClock } from './time/clock.js';
export { addDays, logicalDateLabel, parseLogicalDate, toDs } from './time/dates.js';
export type { DagModuleImporter } from './worker/load-dag.js';
