import type { Dag } from '../model/dag.js';
import { InvalidInputError, LeaseConflictError } from '../model/errors.js';
import { dataIntervalOf, logicalDatesBetween } from '../model/schedule.js';
import type { RunStore } from '../store/run-store.js';
import { parseLogicalDate } from '../time/dates.js';
import type {
  BackfillDateResult,
  BackfillOptions,
  BackfillPlan,
  BackfillPlanEntry,
  BackfillResult,
  Reprocess,
  RunOptions,
  RunResult,
} from './api-types.js';

/** What a backfill does for each scheduled logical date in [start, end], and why. */
export async function planBackfill(
  store: RunStore,
  dag: Dag,
  options: BackfillOptions,
  /** Dates whose data interval has not ended by then are refused. */
  now: Date,
): Promise<BackfillPlan> {
  const start = options.start instanceof Date ? options.start : parseLogicalDate(options.start, 'start date');
  const end = options.end instanceof Date ? options.end : parseLogicalDate(options.end, 'end date');
  if (end.getTime() < start.getTime()) {
    throw new InvalidInputError(
      `end date ${end.toISOString().slice(0, 10)} is before start date ${start.toISOString().slice(0, 10)}; swap them`,
    );
  }
  const pastBound = dag.tasks.filter((t) => t.options.dependsOnPast).map((t) => t.id);
  if (options.backwards && pastBound.length > 0) {
    // As Airflow: each date would wait for the one before it, which a backwards backfill runs later.
    throw new InvalidInputError(
      `a backwards backfill cannot run ${dag.id}: its tasks ${pastBound.join(', ')} depend on the previous run (dependsOnPast); drop --backwards`,
    );
  }
  const reprocess: Reprocess = options.reprocess ?? 'none';
  if (!['none', 'failed', 'all'].includes(reprocess)) {
    throw new InvalidInputError(`reprocess must be none, failed or all, got ${JSON.stringify(reprocess)}`);
  }
  const dates = logicalDatesBetween(dag.parsedSchedule, dag.startDate, start, end);
  const unfinished = dates.find((d) => dataIntervalOf(dag.parsedSchedule, d).end.getTime() > now.getTime());
  if (unfinished) {
    const ends = dataIntervalOf(dag.parsedSchedule, unfinished).end.toISOString();
    throw new InvalidInputError(
      `the interval of ${unfinished.toISOString()} has not ended (it ends ${ends}): a backfill takes only ended intervals; pick an earlier end date`,
    );
  }
  const existing = new Map((await store.listRuns(dag.id)).map((r) => [r.logicalDate, r]));
  const entries: BackfillPlanEntry[] = dates.map((d) => {
    const logicalDate = d.toISOString();
    const run = existing.get(logicalDate);
    if (!run) return { logicalDate, action: 'run', reason: 'no run yet', existingState: null };
    if (run.state === 'queued' || run.state === 'running') {
      return {
        logicalDate,
        action: 'resume',
        reason: 'unfinished run (interrupted or in progress)',
        existingState: run.state,
      };
    }
    if (run.state === 'failed') {
      return reprocess === 'none'
        ? {
            logicalDate,
            action: 'skip',
            reason: 'failed run kept (reprocess=none)',
            existingState: run.state,
          }
        : {
            logicalDate,
            action: 'rerun',
            reason: `failed run retried (reprocess=${reprocess})`,
            existingState: run.state,
          };
    }
    return reprocess === 'all'
      ? {
          logicalDate,
          action: 'rerun',
          reason: 'succeeded run re-executed (reprocess=all)',
          existingState: run.state,
        }
      : { logicalDate, action: 'skip', reason: 'already succeeded', existingState: run.state };
  });
  if (options.backwards) entries.reverse();
  return { dagId: dag.id, entries };
}

interface RunsDags {
  run(dag: Dag, options: RunOptions): Promise<RunResult>;
  planBackfill(dag: Dag, options: BackfillOptions): Promise<BackfillPlan>;
}

/**
 * For a date whose run already succeeded: runs it again without force, which executes nothing of it but
 * resumes the asset-triggered runs of that date a killed backfill left unfinished (and runs due ones).
 * Returns what happened to them, or null when nothing did.
 */
async function resumeTriggeredRuns(
  engine: RunsDags,
  dag: Dag,
  entry: BackfillPlanEntry,
  options: BackfillOptions,
): Promise<string | null> {
  let result: RunResult;
  try {
    result = await engine.run(dag, {
      logicalDate: entry.logicalDate,
      runType: 'backfill',
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
    });
  } catch (error) {
    return `triggered runs not resumed: ${(error as Error).message}`;
  }
  const triggered = result.triggered.flatMap(function flatten(r: RunResult): RunResult[] {
    return [r, ...r.triggered.flatMap(flatten)];
  });
  if (triggered.length === 0) return null;
  return `triggered runs resumed: ${triggered.map((r) => `${r.dagId} ${r.state}`).join(', ')}`;
}

/** Executes a backfill plan with at most `maxActiveRuns` runs at a time. */
export async function executeBackfill(
  engine: RunsDags,
  dag: Dag,
  options: BackfillOptions,
  now: () => number,
): Promise<BackfillResult & { results: BackfillDateResult[] }> {
  const plan = await engine.planBackfill(dag, options);
  const limit = options.maxActiveRuns ?? dag.maxActiveRuns;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidInputError(`max active runs must be a positive integer, got ${limit}`);
  }
  const results: BackfillDateResult[] = new Array(plan.entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const entry = plan.entries[i];
      if (!entry) return;
      const started = now();
      const done = (r: Omit<BackfillDateResult, 'logicalDate' | 'action' | 'durationMs'>): void => {
        results[i] = {
          logicalDate: entry.logicalDate,
          action: entry.action,
          durationMs: now() - started,
          ...r,
        };
        options.onRunDone?.(results[i]!);
      };
      if (entry.action === 'skip') {
        const resumed =
          entry.existingState === 'success' && options.registry && !options.signal?.aborted
            ? await resumeTriggeredRuns(engine, dag, entry, options)
            : null;
        done({
          state: 'skipped',
          runId: null,
          error: resumed ? `${entry.reason}; ${resumed}` : entry.reason,
        });
        continue;
      }
      if (options.signal?.aborted) {
        done({ state: 'not_started', runId: null, error: 'backfill interrupted before this date started' });
        continue;
      }
      try {
        const result = await engine.run(dag, {
          logicalDate: entry.logicalDate,
          runType: 'backfill',
          force: entry.action === 'rerun' && entry.existingState === 'success',
          ...(options.markSuccess ? { markSuccess: true } : {}),
          ...(options.params ? { params: options.params } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onEvent ? { onEvent: options.onEvent } : {}),
          ...(options.registry ? { registry: options.registry } : {}),
        });
        const failedTask = result.tasks.find((t) => t.state === 'failed');
        done({
          state:
            result.state === 'queued'
              ? 'interrupted'
              : result.state === 'running'
                ? 'interrupted'
                : result.state,
          runId: result.runId,
          error: failedTask ? `${failedTask.taskId}: ${failedTask.error ?? 'failed'}` : null,
        });
      } catch (error) {
        if (error instanceof LeaseConflictError) {
          // Another backfill or run owns this date: it executes it, we must not.
          done({ state: 'skipped', runId: error.runId, error: error.message });
        } else {
          done({ state: 'failed', runId: null, error: (error as Error).message });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, Math.max(1, plan.entries.length)) }, worker));
  return {
    dagId: dag.id,
    results,
    succeeded: results.filter((r) => r.state === 'success').length,
    failed: results.filter((r) => r.state === 'failed').length,
    skipped: results.filter((r) => r.state === 'skipped').length,
    interrupted: results.filter((r) => r.state === 'interrupted').length,
    notStarted: results.filter((r) => r.state === 'not_started').length,
  };
}
