import type { StateChange, TryRecord } from './records.js';

/**
 * A batch of state changes folded into one row per stored row, in the shape `apply_changes` reads with
 * `jsonb_to_recordset` (keys are its column names), so the function writes each table with one set-based
 * statement instead of one statement per change. Folding keeps the meaning of applying the changes one by one:
 * - patches of one run or task instance compose: the last state wins, and each field takes the last value
 *   given for it (a field no patch gives keeps its stored value, null clears);
 * - a try recorded (try-start) replaces the stored try; a try-end merges into the try recorded earlier in the
 *   batch, or else updates the stored try (if any); a try-start after try-ends of the same try discards them;
 * - add-task and asset-event rows keep their batch order (it is the order of the rows' `seq`).
 * `ord` is the position of a row's first change: the function reports an unknown run or task instance of
 * the earliest one, as a one-by-one application would fail there. `added` says an add-task of the task
 * instance came before its first patch, so the instance need not exist before the batch.
 */
export interface PostgresBatch {
  readonly runs: RunRow[];
  readonly added: AddedRow[];
  readonly tasks: TaskRow[];
  readonly tries: TryRow[];
  readonly try_ends: TryEndRow[];
  readonly assets: AssetRow[];
}

/** Bits of `mask`: which optional fields a folded patch sets. */
export const RUN_FIELDS = { startedAt: 1, endedAt: 2, params: 4 } as const;
export const TASK_FIELDS = {
  tryNumber: 1,
  maxTries: 2,
  output: 4,
  startedAt: 8,
  endedAt: 16,
  durationMs: 32,
  nextTryAt: 64,
} as const;

interface RunRow {
  ord: number;
  dag_id: string;
  run_id: string;
  state: string;
  mask: number;
  started_at: string | null;
  ended_at: string | null;
  /** JSON text: the batch travels as jsonb, which would reorder keys. */
  params: string | null;
}

interface AddedRow {
  ord: number;
  dag_id: string;
  run_id: string;
  task_id: string;
}

interface TaskRow {
  ord: number;
  added: boolean;
  dag_id: string;
  run_id: string;
  task_id: string;
  state: string;
  mask: number;
  try_number: number | null;
  max_tries: number | null;
  /** JSON text (null: no output), as `params`. */
  output: string | null;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  next_try_at: string | null;
}

interface TryRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  try_number: number;
  state: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  error_name: string | null;
  error_message: string | null;
  error_stack: string | null;
  log_path: string;
  host: string;
  pid: number;
}

type TryEndRow = Pick<
  TryRow,
  | 'dag_id'
  | 'run_id'
  | 'task_id'
  | 'try_number'
  | 'state'
  | 'ended_at'
  | 'duration_ms'
  | 'error_name'
  | 'error_message'
  | 'error_stack'
>;

interface AssetRow {
  ord: number;
  asset: string;
  logical_date: string;
  dag_id: string;
  run_id: string;
  task_id: string;
  created_at: string;
}

const key = (...parts: (string | number)[]): string => parts.join('\u0000');

/** PostgreSQL text cannot hold NUL: texts of a try get U+FFFD in its place (SQLite keeps it). */
function text<T extends string | null | undefined>(v: T): T {
  return (typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v) as T;
}

function tryRow(r: TryRecord): TryRow {
  return {
    dag_id: r.dagId,
    run_id: r.runId,
    task_id: r.taskId,
    try_number: r.tryNumber,
    state: r.state,
    started_at: r.startedAt,
    ended_at: r.endedAt,
    duration_ms: r.durationMs,
    error_name: text(r.errorName),
    error_message: text(r.errorMessage),
    error_stack: text(r.errorStack),
    log_path: text(r.logPath),
    host: text(r.host),
    pid: r.pid,
  };
}

export function planBatch(changes: readonly StateChange[]): PostgresBatch {
  const runs = new Map<string, RunRow>();
  const added = new Map<string, AddedRow>();
  const tasks = new Map<string, TaskRow>();
  const tries = new Map<string, TryRow>();
  const tryEnds = new Map<string, TryEndRow>();
  const assets: AssetRow[] = [];
  changes.forEach((c, ord) => {
    switch (c.kind) {
      case 'run': {
        const k = key(c.dagId, c.runId);
        const row = runs.get(k) ?? {
          ord,
          dag_id: c.dagId,
          run_id: c.runId,
          state: c.state,
          mask: 0,
          started_at: null,
          ended_at: null,
          params: null,
        };
        row.state = c.state;
        if (c.startedAt !== undefined) {
          row.mask |= RUN_FIELDS.startedAt;
          row.started_at = c.startedAt;
        }
        if (c.endedAt !== undefined) {
          row.mask |= RUN_FIELDS.endedAt;
          row.ended_at = c.endedAt;
        }
        if (c.params !== undefined) {
          row.mask |= RUN_FIELDS.params;
          row.params = JSON.stringify(c.params);
        }
        runs.set(k, row);
        return;
      }
      case 'add-task': {
        const k = key(c.dagId, c.runId, c.taskId);
        if (!added.has(k)) added.set(k, { ord, dag_id: c.dagId, run_id: c.runId, task_id: c.taskId });
        return;
      }
      case 'task': {
        const k = key(c.dagId, c.runId, c.taskId);
        const row = tasks.get(k) ?? {
          ord,
          added: added.has(k),
          dag_id: c.dagId,
          run_id: c.runId,
          task_id: c.taskId,
          state: c.state,
          mask: 0,
          try_number: null,
          max_tries: null,
          output: null,
          started_at: null,
          ended_at: null,
          duration_ms: null,
          next_try_at: null,
        };
        row.state = c.state;
        const set = <F extends keyof typeof TASK_FIELDS, V>(
          field: F,
          value: V | undefined,
          assign: (v: V) => void,
        ) => {
          if (value === undefined) return;
          row.mask |= TASK_FIELDS[field];
          assign(value);
        };
        set('tryNumber', c.tryNumber, (v) => {
          row.try_number = v;
        });
        set('maxTries', c.maxTries, (v) => {
          row.max_tries = v;
        });
        set('output', c.output, (v) => {
          row.output = v === null ? null : JSON.stringify(v);
        });
        set('startedAt', c.startedAt, (v) => {
          row.started_at = v;
        });
        set('endedAt', c.endedAt, (v) => {
          row.ended_at = v;
        });
        set('durationMs', c.durationMs, (v) => {
          row.duration_ms = v;
        });
        set('nextTryAt', c.nextTryAt, (v) => {
          row.next_try_at = v;
        });
        tasks.set(k, row);
        return;
      }
      case 'try-start': {
        const r = c.record;
        const k = key(r.dagId, r.runId, r.taskId, r.tryNumber);
        tryEnds.delete(k);
        tries.set(k, tryRow(r));
        return;
      }
      case 'try-end': {
        const end: TryEndRow = {
          dag_id: c.dagId,
          run_id: c.runId,
          task_id: c.taskId,
          try_number: c.tryNumber,
          state: c.state,
          ended_at: c.endedAt,
          duration_ms: c.durationMs,
          error_name: text(c.errorName ?? null),
          error_message: text(c.errorMessage ?? null),
          error_stack: text(c.errorStack ?? null),
        };
        const k = key(c.dagId, c.runId, c.taskId, c.tryNumber);
        const started = tries.get(k);
        if (started) tries.set(k, { ...started, ...end });
        else tryEnds.set(k, end);
        return;
      }
      case 'dispatch':
        // Not part of the batch function: the store adds the jobs in the same transaction.
        return;
      case 'asset-event': {
        const e = c.event;
        assets.push({
          ord,
          asset: text(e.asset),
          logical_date: e.logicalDate,
          dag_id: e.dagId,
          run_id: e.runId,
          task_id: e.taskId,
          created_at: e.createdAt,
        });
        return;
      }
      default: {
        const never: never = c;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  });
  return {
    runs: [...runs.values()],
    added: [...added.values()],
    tasks: [...tasks.values()],
    tries: [...tries.values()],
    try_ends: [...tryEnds.values()],
    assets,
  };
}
