import type { Dag } from '../model/dag.js';
import { TaskInterruptedError } from '../model/errors.js';
import { baseTaskId } from '../model/map-index.js';
import { roleGraphOf, withSetupsAndTeardowns } from '../model/setup-teardown.js';
import { isFinal, type TaskState } from '../model/states.js';
import { taskTransition } from '../state/transitions.js';
import type { StateChange, TaskInstanceRecord, TryRecord } from '../store/records.js';

export interface PrepareInput {
  readonly dag: Dag;
  readonly runId: string;
  readonly instances: readonly TaskInstanceRecord[];
  /** Tries of the run still marked running: their process is gone (we hold the lease now). */
  readonly orphanTries: readonly TryRecord[];
  readonly force: boolean;
  /** Tasks to execute; every other task keeps its state. */
  readonly selection: ReadonlySet<string> | undefined;
  readonly now: string;
}

/**
 * The changes that turn a stored run into one ready to execute:
 * - tries left `running` by a dead owner are recorded failed (zombies);
 * - tasks that did not succeed (or all selected/forced tasks) go back to `none`, keeping their try numbers
 *   and getting a fresh retry budget; successful tasks keep their outputs and are not re-run, except the
 *   setups and teardowns of a scope with a task to re-run (its resource was removed: it is made again).
 */
export function prepareRun(input: PrepareInput): { changes: StateChange[]; instances: TaskInstanceRecord[] } {
  const changes: StateChange[] = [];
  const { dag, runId } = input;
  for (const t of input.orphanTries) {
    const error = new TaskInterruptedError(
      `try ${t.tryNumber} was left running by process ${t.pid} on ${t.host}, which is gone (zombie)`,
    );
    changes.push({
      kind: 'try-end',
      dagId: dag.id,
      runId,
      taskId: t.taskId,
      tryNumber: t.tryNumber,
      state: 'failed',
      endedAt: input.now,
      durationMs: Math.max(0, Date.parse(input.now) - Date.parse(t.startedAt)),
      errorName: error.name,
      errorMessage: error.message,
      errorStack: null,
    });
  }
  const keep: readonly TaskState[] = input.force || input.selection ? [] : ['success', 'skipped'];
  // A selection is executed as given (widening it would reset tasks the execution leaves alone); otherwise
  // the tasks to re-run bring the setups and teardowns of their scopes.
  // A mapped task's instances (`load[3]`) are selected by their task and kept or reset by their own state.
  const kept = (ti: TaskInstanceRecord): boolean => keep.includes(ti.state) && isFinal(ti.state);
  const scoped = input.selection
    ? undefined
    : withSetupsAndTeardowns(
        roleGraphOf(dag),
        input.instances.filter((ti) => !kept(ti)).map((ti) => baseTaskId(ti.taskId)),
      );
  const instances = input.instances.map((ti) => {
    const def = dag.getTask(baseTaskId(ti.taskId));
    if (!def) return ti;
    const reset = input.selection
      ? input.selection.has(def.id)
      : !kept(ti) || (scoped?.has(ti.taskId) ?? false);
    if (!reset) return ti;
    let current = ti;
    if (current.state === 'running') {
      // The zombie's try failed; record the task failed before it is reset, as the transition table demands.
      const failed = taskTransition(current, 'failed', { endedAt: input.now });
      changes.push(failed.change);
      current = failed.record;
    }
    const cleared = taskTransition(current, 'none', {
      maxTries: ti.tryNumber + def.options.retries + 1,
      output: null,
      nextTryAt: null,
    });
    changes.push(cleared.change);
    return cleared.record;
  });
  return { changes, instances };
}
