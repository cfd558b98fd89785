/** Identity of one try of one task instance; used as the scope of its logger and in every record. */
export interface TaskInstanceKey {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly tryNumber: number;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export type LogFields = Readonly<Record<string, unknown>>;

/** A logger scoped to one try; every line carries the scope and lands in that try's log file. */
export interface TaskLogger {
  readonly scope: TaskInstanceKey;
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}
