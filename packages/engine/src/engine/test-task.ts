import type { TryOutcome } from '../executor/executor.js';
import { InProcessExecutor, type TryLogOpener } from '../executor/in-process-executor.js';
import type { TryDescriptor, TryJob } from '../executor/try-descriptor.js';
import type { TaskInstanceKey } from '../logging/logger.js';
import { SecretMasker } from '../logging/mask.js';
import type { LogRouter } from '../logging/try-log.js';
import type { Dag } from '../model/dag.js';
import { InvalidInputError, TaskInterruptedError } from '../model/errors.js';
import { baseTaskId, parseMappedTaskId } from '../model/map-index.js';
import { resolveParams, secretParamValues } from '../model/params.js';
import { dataIntervalOf } from '../model/schedule.js';
import type { RunStore } from '../store/run-store.js';
import type { Clock } from '../time/clock.js';
import type { TestTaskOptions, TestTaskResult } from './api-types.js';
import { recordableParams, secretParams } from './run-params.js';

interface TestDeps {
  readonly store: RunStore;
  readonly logs: LogRouter;
  readonly clock: Clock;
  readonly secrets: readonly string[];
}

/**
 * Runs one task once, like `airflow tasks test`, through the same descriptor and executor path as a run
 * (in this process, so a debugger or `console.log` works): upstream outputs come from the stored run when
 * there is one; nothing is recorded and log lines go to `onLog` instead of a file.
 */
export async function testTask(
  deps: TestDeps,
  dag: Dag,
  taskId: string,
  logicalDate: Date,
  options: TestTaskOptions,
): Promise<TestTaskResult> {
  const mapped = parseMappedTaskId(taskId);
  const def = dag.getTask(baseTaskId(taskId))!;
  if (def.map && !mapped) {
    throw new InvalidInputError(`task '${taskId}' is mapped: test one of its instances, e.g. '${taskId}[0]'`);
  }
  const params = resolveParams(dag.id, dag.params, options.params);
  const run = await deps.store.findRunByLogicalDate(dag.id, logicalDate.toISOString());
  const instances = run ? await deps.store.listTaskInstances(dag.id, run.runId) : [];
  const masker = new SecretMasker([...deps.secrets, ...secretParamValues(dag.params, params)]);
  const key: TaskInstanceKey = { dagId: dag.id, runId: run?.runId ?? 'test', taskId, tryNumber: 1 };
  const upstreamOutputs: Record<string, unknown> = {};
  const upstreamMissing: Record<string, string> = {};
  const day = logicalDate.toISOString().slice(0, 10);
  for (const id of def.upstreamIds) {
    const ti = instances.find((t) => t.taskId === id);
    if (ti?.state === 'success') upstreamOutputs[id] = ti.output;
    else upstreamMissing[id] = `no stored successful run of it for ${day}; run the DAG first`;
  }
  const map = def.map && mapped ? mapInput(def.map.overId, mapped, upstreamOutputs, day) : undefined;
  if (map && !def.map?.overIsUpstream) delete upstreamOutputs[def.map!.overId];
  const interval = dataIntervalOf(dag.parsedSchedule, logicalDate);
  const descriptor: TryDescriptor = {
    key,
    dagFile: undefined,
    maxTries: 1,
    logicalDate: logicalDate.toISOString(),
    dataInterval: { start: interval.start.toISOString(), end: interval.end.toISOString() },
    params: recordableParams(dag, params),
    secretParams: Object.keys(secretParams(dag, params)),
    upstreamOutputs,
    upstreamMissing,
    timeoutMs: def.options.executionTimeout,
    fence: null,
    logPath: '',
    ...(map ? { map } : {}),
  };
  const job: TryJob = { descriptor, secrets: { params: secretParams(dag, params), mask: masker.values() } };
  const onLog = options.onLog ?? (() => {});
  const logs: TryLogOpener = {
    openTryLog: (k, m) => {
      const logger = deps.logs.callbackLogger(k, m, onLog);
      return {
        logger,
        ready: Promise.resolve(),
        logError: (error) =>
          logger.error(`try failed: ${error.message}`, {
            error: { name: error.name, message: error.message, stack: error.stack },
          }),
        close: () => {},
      };
    },
  };
  const executor = new InProcessExecutor({ clock: deps.clock, logs, resolveDag: () => dag });
  const started = deps.clock.now();
  const onAbort = (): void => executor.cancel(key, new TaskInterruptedError('test interrupted (cancelled)'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = await new Promise<TryOutcome>((resolve) =>
      executor.submit(job, { started: () => {}, finished: (_k, o) => resolve(o) }),
    );
    const durationMs = deps.clock.now() - started;
    if (outcome.kind === 'success') return { kind: 'success', output: outcome.output, durationMs };
    if (outcome.kind === 'skipped') return { kind: 'skipped', reason: outcome.reason, durationMs };
    return { kind: 'failed', error: outcome.error, durationMs };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The item of instance `index` of a mapped task: from its `over` upstream's stored output. */
function mapInput(
  overId: string,
  mapped: { readonly taskId: string; readonly index: number },
  outputs: Readonly<Record<string, unknown>>,
  day: string,
): { index: number; item: unknown } {
  const id = `${mapped.taskId}[${mapped.index}]`;
  if (!Object.hasOwn(outputs, overId)) {
    throw new InvalidInputError(
      `${id} needs the output of ${overId}: no stored successful run of it for ${day}; run the DAG first`,
    );
  }
  const items = outputs[overId];
  if (!Array.isArray(items)) {
    throw new InvalidInputError(
      `${id} needs an array from ${overId}, which returned ${items === null ? 'null' : typeof items} for ${day}`,
    );
  }
  if (mapped.index >= items.length) {
    throw new InvalidInputError(
      `${overId} returned ${items.length} item(s) for ${day}, so ${mapped.taskId} has no instance ${mapped.index}; pick an index from 0 to ${items.length - 1}`,
    );
  }
  return { index: mapped.index, item: items[mapped.index] };
}
