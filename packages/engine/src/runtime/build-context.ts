import type { TaskLogger } from '../logging/logger.js';
import type { SecretMasker } from '../logging/mask.js';
import { NonRetryableError } from '../model/errors.js';
import type { ResourceSpecs } from '../model/resource.js';
import type { AnyTaskRef } from '../model/task.js';
import type { DataInterval, TaskContext } from './context.js';

export interface ContextInput {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly tryNumber: number;
  readonly maxTries: number;
  readonly logicalDate: Date;
  readonly dataInterval: { start: Date; end: Date };
  readonly params: Record<string, unknown>;
  readonly upstreamIds: readonly string[];
  /** Output of an upstream task, or `missing` with the reason when it has none. */
  readonly upstreamOutput: (taskId: string) => { output: unknown } | { missing: string };
  readonly log: TaskLogger;
  readonly signal: AbortSignal;
  readonly masker: SecretMasker;
  /** `ctx.resources`: see TryResources. */
  readonly resources: Readonly<Record<string, Promise<unknown>>>;
}

export function buildContext(
  input: ContextInput,
): TaskContext<Record<string, unknown>, readonly AnyTaskRef[], ResourceSpecs> {
  const interval: DataInterval = {
    start: input.dataInterval.start.toISOString(),
    end: input.dataInterval.end.toISOString(),
  };
  const logicalDate = input.logicalDate.toISOString();
  return {
    dagId: input.dagId,
    runId: input.runId,
    taskId: input.taskId,
    tryNumber: input.tryNumber,
    maxTries: input.maxTries,
    logicalDate,
    ds: logicalDate.slice(0, 10),
    dataInterval: interval,
    params: Object.freeze({ ...input.params }),
    log: input.log,
    signal: input.signal,
    maskSecret: (value: string) => input.masker.add(value),
    resources: input.resources,
    upstream(ref: AnyTaskRef) {
      if (!input.upstreamIds.includes(ref.id)) {
        throw new NonRetryableError(
          `task '${input.taskId}' read the output of '${ref.id}', which is not its upstream`,
        );
      }
      const got = input.upstreamOutput(ref.id);
      if ('missing' in got) {
        throw new NonRetryableError(`task '${input.taskId}' needs the output of '${ref.id}': ${got.missing}`);
      }
      return got.output as never;
    },
  };
}
