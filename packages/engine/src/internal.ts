/**
 * Internals of the engine for its own tests, benchmarks and the packages of this repository: building blocks
 * of the scheduler, the stores and the executors. No stability promise; DAG authors use the main entry.
 */

export { LogShipper, SHIP_EVERY_MS, type ShipLog } from './distributed/log-shipper.js';
export { holderIsGone, RunLease, type RunLeaseOptions } from './engine/lease.js';
export { markChanges } from './engine/mark-state.js';
export { prepareRun } from './engine/prepare-run.js';
export { effectiveParams, recordableParams, secretParams } from './engine/run-params.js';
export { outcomeOfError } from './executor/outcome.js';
export { describeOsError, isPermanentOsError, permanentOsErrorIn } from './executor/permanent-errors.js';
export { appendLogLine } from './logging/append-line.js';
export { LogRouter, TryLog } from './logging/try-log.js';
export {
  isIgnoredTeardown,
  type RoleGraph,
  roleGraphOf,
  runDeciders,
  withSetupsAndTeardowns,
} from './model/setup-teardown.js';
export { assertRunTransition, assertTransition, RUN_TRANSITIONS, TRANSITIONS } from './model/states.js';
export { runTry, type TryLogTarget } from './runtime/run-try.js';
export { TryResources } from './runtime/try-resources.js';
export { CALLBACK_TIMEOUT_MS, CallbackRunner } from './scheduler/callback-runner.js';
export { type DueRunsInput, dueRuns, nextDueInstant, type SchedulableDag } from './scheduler/due-runs.js';
export { type Expansion, expansionOf, mappedOutcome } from './scheduler/expansion.js';
export { decideFinishedTry, type FinishedTry, type FinishedTryInput } from './scheduler/finished-try.js';
export { type RetryPolicy, retryDelayMs } from './scheduler/retry-policy.js';
export { runOutcome } from './scheduler/run-outcome.js';
export {
  countUpstream,
  decide as decideTriggerRule,
  type TriggerDecision,
  type UpstreamCounts,
} from './scheduler/trigger-rules.js';
export { StateWriter } from './state/state-writer.js';
export { runTransition, type TaskPatch, taskTransition } from './state/transitions.js';
export { MIGRATIONS } from './store/migrations.js';
export { planBatch } from './store/postgres-batch.js';
export { POSTGRES_MIGRATIONS } from './store/postgres-migrations.js';
export { postgresUnreachable } from './store/postgres-probe.js';
export { parsePostgresUrl, redactUrl } from './store/postgres-url.js';
export { applyTaskPatch } from './store/shared.js';
