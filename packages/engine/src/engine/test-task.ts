import type { TaskInstanceKey } from '../logging/logger.js';
import { SecretMasker } from '../logging/mask.js';
import type { LogRouter } from '../logging/try-log.js';
import type { Dag } from '../model/dag.js';
import { SkipTask, TaskTimeoutError } from '../model/errors.js';
import { resolveParams, secretParamValues } from '../model/params.js';
import { dataIntervalOf } from '../model/schedule.js';
import { buildContext } from '../runtime/build-context.js';
import { normalizeOutput } from '../runtime/output.js';
import type { RunStore } from '../store/run-store.js';
import type { Clock } from '../time/clock.js';
import type { TestTaskOptions, TestTaskResult } from './api-types.js';

interface TestDeps {
  readonly store: RunStore;
  readonly logs: LogRouter;
  readonly clock: Clock;
  readonly secrets: readonly string[];
}

/** Runs one task once; reads upstream outputs from the stored run when there is one; writes nothing. */
export async function testTask(
  deps: TestDeps,
  dag: Dag,
  taskId: string,
  logicalDate: Date,
  options: TestTaskOptions,
): Promise<TestTaskResult> {
  const def = dag.getTask(taskId)!;
  const params = resolveParams(dag.id, dag.params, options.params);
  const run = await deps.store.findRunByLogicalDate(dag.id, logicalDate.toISOString());
  const instances = run ? await deps.store.listTaskInstances(dag.id, run.runId) : [];
  const masker = new SecretMasker([...deps.secrets, ...secretParamValues(dag.params, params)]);
  const key: TaskInstanceKey = { dagId: dag.id, runId: run?.runId ?? 'test', taskId, tryNumber: 1 };
  const log = deps.logs.callbackLogger(key, masker, options.onLog ?? (() => {}));
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const ctx = buildContext({
    ...key,
    maxTries: 1,
    logicalDate,
    dataInterval: dataIntervalOf(dag.parsedSchedule, logicalDate),
    params,
    upstreamIds: def.upstreamIds,
    upstreamOutput: (id) => {
      const ti = instances.find((t) => t.taskId === id);
      return ti?.state === 'success'
        ? { output: ti.output }
        : {
            missing: `no stored successful run of it for ${logicalDate.toISOString().slice(0, 10)}; run the DAG first`,
          };
    },
    log,
    signal: controller.signal,
    masker,
  });
  const started = deps.clock.now();
  const timeout = def.options.executionTimeout;
  let cancelTimer = (): void => {};
  const deadline = new Promise<never>((_, reject) => {
    if (timeout !== undefined) {
      cancelTimer = deps.clock.setTimer(timeout, () => {
        const error = new TaskTimeoutError(timeout);
        controller.abort(error);
        reject(error);
      });
    }
  });
  try {
    const output = await Promise.race([Promise.resolve(def.run(ctx)), deadline]);
    return {
      kind: 'success',
      output: normalizeOutput(taskId, output),
      durationMs: deps.clock.now() - started,
    };
  } catch (error) {
    const durationMs = deps.clock.now() - started;
    if (error instanceof SkipTask) return { kind: 'skipped', reason: error.reason, durationMs };
    return { kind: 'failed', error: error instanceof Error ? error : new Error(String(error)), durationMs };
  } finally {
    cancelTimer();
    options.signal?.removeEventListener('abort', onAbort);
  }
}
