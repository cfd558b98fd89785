import { DagDefinitionError } from './errors.js';
import { assertValidId } from './ids.js';
import { type Callback, type Callbacks, callbackList, isCallback } from './notification.js';
import { isTriggerRule, TRIGGER_RULES, type TriggerRule } from './trigger-rule.js';

/** Options of a task; DAG-level `defaultTaskOptions` fill what a task leaves out. */
export interface TaskOptions {
  /**
   * How many times a failed try is retried (so at most `retries + 1` tries per execution).
   * @default 0
   */
  retries?: number;
  /**
   * Delay before the first retry, in milliseconds.
   * @default 1000
   */
  retryDelay?: number;
  /**
   * Grow the delay after each failed try (Airflow's `retry_exponential_backoff`): `true` doubles it
   * (`retryDelay * 2^(try-1)`), a number is the multiplier (`retryDelay * m^(try-1)`, at least 1).
   * @default false
   */
  retryExponentialBackoff?: boolean | number;
  /**
   * Upper bound of any retry delay, in milliseconds.
   * @default 3_600_000 (one hour)
   */
  maxRetryDelay?: number;
  /**
   * Fraction of the delay drawn at random and added or removed (0 = none, 0.2 = ±20 %).
   * @default 0
   */
  jitter?: number;
  /**
   * Time a single try may run, in milliseconds, before its signal is aborted and it fails with TaskTimeoutError.
   * @default undefined (no limit)
   */
  executionTimeout?: number;
  /**
   * When the task runs given its upstream states.
   * @default 'all_success'
   */
  triggerRule?: TriggerRule;
  /**
   * Name of the pool whose slots the task occupies while queued or running.
   * @default 'default_pool' (unbounded unless configured)
   */
  pool?: string;
  /**
   * Queue of the `dag worker` processes that may run the task (`dag worker --queue <name>`), e.g. the
   * machines with DuckDB's memory. Only distributed execution reads it; elsewhere every try runs locally.
   * @default 'default'
   */
  queue?: string;
  /**
   * Higher runs first when several tasks are ready and slots are scarce.
   * @default 1
   */
  priorityWeight?: number;
  /**
   * A short-circuit task (Airflow's `ShortCircuitOperator`): when it succeeds with a falsy output (`false`,
   * `null`, `0`, `''`), `true` skips every task downstream of it whatever their trigger rules; `'direct'`
   * skips its direct downstream tasks only, and the rest follow their trigger rules. Not a DAG default.
   * @default false
   */
  shortCircuit?: boolean | 'direct';
  /**
   * A branch task (Airflow's `@task.branch`): its output, a task id or an array of ids, names the direct
   * downstream tasks to follow; the other direct downstream tasks are skipped (and what follows them by its
   * trigger rules). Naming a task that is not a direct downstream fails the try. Not a DAG default.
   * @default false
   */
  branch?: boolean;
  /**
   * Airflow's `depends_on_past`: the task runs only once the same task of the DAG's previous run (by logical
   * date) succeeded or was skipped; failed there, it is upstream_failed here; not finished there, it waits.
   * The first run (no previous one) is free. @default false
   */
  dependsOnPast?: boolean;
  /**
   * Airflow's `wait_for_downstream` (implies `dependsOnPast`): also waits for the direct downstream tasks of
   * that previous task instance. @default false
   */
  waitForDownstream?: boolean;
  /** Told when a try succeeds (a function or a Notifier such as `webhookNotifier`). DAG defaults apply. */
  onSuccess?: Callbacks;
  /** Told when a try fails with no retry left (not for upstream_failed). */
  onFailure?: Callbacks;
  /** Told when a try fails and will be retried. */
  onRetry?: Callbacks;
  /** Told when a try ends skipped (it raised SkipTask). */
  onSkip?: Callbacks;
}

/** Task options with every default applied. */
export interface ResolvedTaskOptions {
  readonly retries: number;
  readonly retryDelay: number;
  readonly retryExponentialBackoff: boolean | number;
  readonly maxRetryDelay: number;
  readonly jitter: number;
  readonly executionTimeout: number | undefined;
  readonly triggerRule: TriggerRule;
  readonly pool: string;
  readonly queue: string;
  readonly priorityWeight: number;
  readonly shortCircuit: boolean | 'direct';
  readonly branch: boolean;
  readonly callbacks: Readonly<Record<'success' | 'failure' | 'retry' | 'skip', readonly Callback[]>>;
  readonly dependsOnPast: boolean;
  readonly waitForDownstream: boolean;
}

export const DEFAULT_POOL = 'default_pool';
export const DEFAULT_QUEUE = 'default';

export const DEFAULT_TASK_OPTIONS: ResolvedTaskOptions = {
  retries: 0,
  retryDelay: 1000,
  retryExponentialBackoff: false,
  maxRetryDelay: 3_600_000,
  jitter: 0,
  executionTimeout: undefined,
  triggerRule: 'all_success',
  pool: DEFAULT_POOL,
  queue: DEFAULT_QUEUE,
  priorityWeight: 1,
  shortCircuit: false,
  branch: false,
  callbacks: { success: [], failure: [], retry: [], skip: [] },
  dependsOnPast: false,
  waitForDownstream: false,
};

function fail(where: string, message: string): never {
  throw new DagDefinitionError(`${where}: ${message}`);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkNonNegativeInteger(where: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    fail(where, `${name} must be a non-negative integer, got ${describe(value)}`);
  }
}

function checkNonNegativeNumber(where: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(where, `${name} must be a non-negative number of milliseconds, got ${describe(value)}`);
  }
}

/** Validates options given by a user; `where` names the DAG or task in the message. */
export function validateTaskOptions(where: string, options: TaskOptions): void {
  checkNonNegativeInteger(where, 'retries', options.retries);
  checkNonNegativeNumber(where, 'retryDelay', options.retryDelay);
  checkNonNegativeNumber(where, 'maxRetryDelay', options.maxRetryDelay);
  if (options.executionTimeout !== undefined) {
    const t = options.executionTimeout;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) {
      fail(where, `executionTimeout must be a positive number of milliseconds, got ${describe(t)}`);
    }
  }
  if (options.jitter !== undefined) {
    const j = options.jitter;
    if (typeof j !== 'number' || !(j >= 0 && j <= 1)) {
      fail(where, `jitter must be a number between 0 and 1, got ${describe(j)}`);
    }
  }
  const backoff = options.retryExponentialBackoff;
  if (
    backoff !== undefined &&
    typeof backoff !== 'boolean' &&
    !(typeof backoff === 'number' && Number.isFinite(backoff) && backoff >= 1)
  ) {
    fail(
      where,
      `retryExponentialBackoff must be true, false or a multiplier of at least 1 (e.g. 2), got ${describe(backoff)}`,
    );
  }
  if (options.triggerRule !== undefined && !isTriggerRule(options.triggerRule)) {
    fail(
      where,
      `triggerRule must be one of ${TRIGGER_RULES.join(', ')}, got ${describe(options.triggerRule)}`,
    );
  }
  if (options.pool !== undefined) assertValidId('pool', options.pool);
  if (options.queue !== undefined) assertValidId('queue', options.queue);
  if (
    options.shortCircuit !== undefined &&
    options.shortCircuit !== true &&
    options.shortCircuit !== false &&
    options.shortCircuit !== 'direct'
  ) {
    fail(where, `shortCircuit must be true, false or 'direct', got ${describe(options.shortCircuit)}`);
  }
  for (const key of ['dependsOnPast', 'waitForDownstream'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      fail(where, `${key} must be a boolean, got ${describe(options[key])}`);
    }
  }
  if (options.branch !== undefined && typeof options.branch !== 'boolean') {
    fail(where, `branch must be a boolean, got ${describe(options.branch)}`);
  }
  if (options.branch === true && options.shortCircuit !== undefined && options.shortCircuit !== false) {
    fail(where, 'a task is a branch or a short-circuit, not both');
  }
  for (const key of ['onSuccess', 'onFailure', 'onRetry', 'onSkip'] as const) {
    for (const c of callbackList(options[key])) {
      if (!isCallback(c))
        fail(where, `${key} must be a function or a notifier (an object with notify()), got ${describe(c)}`);
    }
  }
  if (options.priorityWeight !== undefined) {
    const w = options.priorityWeight;
    if (typeof w !== 'number' || !Number.isInteger(w)) {
      fail(where, `priorityWeight must be an integer, got ${describe(w)}`);
    }
  }
}

/** Applies defaults: task options over DAG defaults over engine defaults. */
export function resolveTaskOptions(dagDefaults: TaskOptions, task: TaskOptions): ResolvedTaskOptions {
  const pick = <K extends keyof TaskOptions>(key: K): TaskOptions[K] => task[key] ?? dagDefaults[key];
  return {
    retries: pick('retries') ?? DEFAULT_TASK_OPTIONS.retries,
    retryDelay: pick('retryDelay') ?? DEFAULT_TASK_OPTIONS.retryDelay,
    retryExponentialBackoff: pick('retryExponentialBackoff') ?? DEFAULT_TASK_OPTIONS.retryExponentialBackoff,
    maxRetryDelay: pick('maxRetryDelay') ?? DEFAULT_TASK_OPTIONS.maxRetryDelay,
    jitter: pick('jitter') ?? DEFAULT_TASK_OPTIONS.jitter,
    executionTimeout: pick('executionTimeout') ?? DEFAULT_TASK_OPTIONS.executionTimeout,
    triggerRule: pick('triggerRule') ?? DEFAULT_TASK_OPTIONS.triggerRule,
    pool: pick('pool') ?? DEFAULT_TASK_OPTIONS.pool,
    queue: pick('queue') ?? DEFAULT_TASK_OPTIONS.queue,
    priorityWeight: pick('priorityWeight') ?? DEFAULT_TASK_OPTIONS.priorityWeight,
    // A task's own role, never inherited from the DAG's defaults.
    shortCircuit: task.shortCircuit ?? DEFAULT_TASK_OPTIONS.shortCircuit,
    branch: task.branch ?? DEFAULT_TASK_OPTIONS.branch,
    dependsOnPast: (pick('dependsOnPast') ?? false) || (pick('waitForDownstream') ?? false),
    waitForDownstream: pick('waitForDownstream') ?? false,
    callbacks: {
      success: callbackList(pick('onSuccess')),
      failure: callbackList(pick('onFailure')),
      retry: callbackList(pick('onRetry')),
      skip: callbackList(pick('onSkip')),
    },
  };
}
