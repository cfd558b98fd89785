import { LeaseLostError } from '../model/errors.js';
import type {
  DagRunRecord,
  Fence,
  LeaseClaim,
  LeaseInfo,
  StateChange,
  TaskGridQuery,
  TaskGridRun,
  TaskInstanceRecord,
} from './records.js';

type TaskPatch = Extract<StateChange, { kind: 'task' }>;

/** A task instance after a patch: fields left undefined in the patch keep their value. */
export function applyTaskPatch(ti: TaskInstanceRecord, patch: TaskPatch): TaskInstanceRecord {
  return {
    ...ti,
    state: patch.state,
    tryNumber: patch.tryNumber ?? ti.tryNumber,
    maxTries: patch.maxTries ?? ti.maxTries,
    output: patch.output === undefined ? ti.output : patch.output,
    startedAt: patch.startedAt === undefined ? ti.startedAt : patch.startedAt,
    endedAt: patch.endedAt === undefined ? ti.endedAt : patch.endedAt,
    durationMs: patch.durationMs === undefined ? ti.durationMs : patch.durationMs,
    nextTryAt: patch.nextTryAt === undefined ? ti.nextTryAt : patch.nextTryAt,
  };
}

/** Whether a claim may take a lease held by `holder`: ours already, expired, or its owner is gone. */
export function leaseAvailable(
  holder: LeaseInfo,
  claim: LeaseClaim,
  canTakeOver: (holder: LeaseInfo) => boolean,
): boolean {
  return holder.owner === claim.owner || holder.expiresAt <= claim.now || canTakeOver(holder);
}

/** Whether `lease` is the one `fence` proves: same owner and epoch. Expiry does not matter: only a new
 * acquisition (a takeover) or a release ends a lease. */
export function holdsFence(lease: LeaseInfo | null, fence: Fence): lease is LeaseInfo {
  return lease !== null && lease.owner === fence.owner && lease.epoch === fence.epoch;
}

/** Checks that a fenced batch changes only the fenced run (a fence guards one run). */
export function checkFenceScope(fence: Fence, changes: readonly StateChange[]): void {
  for (const c of changes) {
    const run = c.kind === 'try-start' ? c.record : c.kind === 'asset-event' ? c.event : c;
    if (run.dagId !== fence.dagId || run.runId !== fence.runId) {
      throw new Error(
        `a batch fenced for run ${fence.dagId}/${fence.runId} changes run ${run.dagId}/${run.runId}`,
      );
    }
  }
}

/**
 * Checks, before a fenced batch writes anything, that the batch changes only the fenced run and that the
 * run's current lease is the fence's.
 */
export function checkFence(lease: LeaseInfo | null, fence: Fence, changes: readonly StateChange[]): void {
  checkFenceScope(fence, changes);
  if (!holdsFence(lease, fence)) {
    throw new LeaseLostError(fence.dagId, fence.runId, fence.epoch, lease);
  }
}

/**
 * A task grid query with its bounds as stored instants (`2025-01-01` becomes `2025-01-01T00:00:00.000Z`), so
 * every store compares the same values; a bound that is not a date is an error.
 */
export function normalizeGridQuery(query: TaskGridQuery): TaskGridQuery {
  const instant = (name: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new Error(`task grid: ${name} ${JSON.stringify(value)} is not a date`);
    return new Date(ms).toISOString();
  };
  const from = instant('from', query.from);
  const to = instant('to', query.to);
  return {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(query.limit === undefined ? {} : { limit: Math.max(0, Math.floor(query.limit)) }),
  };
}

/** Whether a logical date is in a normalized task grid's `[from, to)` (ISO instants compare as strings). */
export function inGridRange(logicalDate: string, query: TaskGridQuery): boolean {
  return (
    (query.from === undefined || logicalDate >= query.from) &&
    (query.to === undefined || logicalDate < query.to)
  );
}

/**
 * Folds the rows of a runs ⟕ task instances join (ordered by run, then task) into grid columns; a run without
 * task instances has one row whose `t_task_id` is null.
 */
export function groupGrid<Row extends Record<string, unknown>>(
  rows: readonly Row[],
  toRun: (row: Row) => DagRunRecord,
  toTask: (row: Row) => TaskInstanceRecord,
): TaskGridRun[] {
  const out: { run: DagRunRecord; tasks: TaskInstanceRecord[] }[] = [];
  let current: { run: DagRunRecord; tasks: TaskInstanceRecord[] } | undefined;
  for (const row of rows) {
    if (!current || current.run.dagId !== row.dag_id || current.run.runId !== row.run_id) {
      current = { run: toRun(row), tasks: [] };
      out.push(current);
    }
    if (row.t_task_id !== null && row.t_task_id !== undefined) current.tasks.push(toTask(row));
  }
  return out;
}

/** Newest logical date first, then DAG id in code-unit order (SQLite's default collation, not the locale's). */
export function sortRuns(rows: DagRunRecord[]): DagRunRecord[] {
  const byCodeUnit = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return rows.sort((a, b) =>
    a.logicalDate === b.logicalDate ? byCodeUnit(a.dagId, b.dagId) : byCodeUnit(b.logicalDate, a.logicalDate),
  );
}

/** Joins shipped log pieces (in offset order, each at or after `from`): the text and the offset after it. */
export function joinLogPieces(
  pieces: readonly { readonly offset: number; readonly body: string }[],
  from: number,
): { text: string; end: number } | undefined {
  if (pieces.length === 0) return from > 0 ? { text: '', end: from } : undefined;
  const last = pieces[pieces.length - 1]!;
  return { text: pieces.map((p) => p.body).join(''), end: last.offset + Buffer.byteLength(last.body) };
}

/** A task instance as the store creates it (`add-task`): nothing evaluated yet. */
export function newTaskInstance(dagId: string, runId: string, taskId: string): TaskInstanceRecord {
  return {
    dagId,
    runId,
    taskId,
    state: 'none',
    tryNumber: 0,
    maxTries: 0,
    output: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    nextTryAt: null,
  };
}
