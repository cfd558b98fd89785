/**
 * What a callback is told: a task's try ended (success, failure, retry, skip), a run ended, or a run missed its
 * deadline (`deadline_missed`, with the run's state at that moment).
 */
export interface Notification {
  readonly event: 'success' | 'failure' | 'retry' | 'skip' | 'deadline_missed';
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: string;
  /** Null for a run's own callbacks. */
  readonly taskId: string | null;
  readonly tryNumber: number | null;
  /** The task's (or run's) state the event left it in. */
  readonly state: string;
  /** The error of a failed or retried try (secrets masked), else null. */
  readonly error: string | null;
  /** The try's log file on the machine that recorded it, or null. */
  readonly logPath: string | null;
  readonly at: string;
}

/** Something told about task and run events: a webhook, a command, or your own object. */
export interface Notifier {
  notify(notification: Notification): void | Promise<void>;
}

/** A callback: a function, or a Notifier. A failing or slow one is logged and never changes an outcome. */
export type Callback = Notifier | ((notification: Notification) => void | Promise<void>);

/** One callback or several, as task and DAG options take them. */
export type Callbacks = Callback | readonly Callback[];

/** Whether `value` can be called back (a function or an object with `notify`). */
export function isCallback(value: unknown): value is Callback {
  return (
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null && typeof (value as Notifier).notify === 'function')
  );
}

export function callbackList(value: Callbacks | undefined): readonly Callback[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly Callback[]) : [value as Callback];
}
