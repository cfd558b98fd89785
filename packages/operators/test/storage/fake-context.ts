import type { LogFields, LogLevel, TaskLogger } from '@streampro/engine';
import type { OperatorContext } from '../../src/tasks/operator.js';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: LogFields;
}

/** A minimal OperatorContext for operator tests: collects log lines, exposes its abort controller. */
export function fakeContext(ds = '2025-09-09'): {
  ctx: OperatorContext;
  lines: LogLine[];
  controller: AbortController;
} {
  const lines: LogLine[] = [];
  const controller = new AbortController();
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, ...(fields ? { fields } : {}) });
    };
  const log: TaskLogger = {
    scope: { dagId: 'test', runId: 'run', taskId: 'task', tryNumber: 1 },
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
  };
  const ctx: OperatorContext = {
    ds,
    logicalDate: `${ds}T00:00:00.000Z`,
    log,
    signal: controller.signal,
    maskSecret: () => {},
  };
  return { ctx, lines, controller };
}
