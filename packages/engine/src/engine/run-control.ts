import type { Dag } from '../model/dag.js';
import { isFinalRunState } from '../model/states.js';
import { StateWriter } from '../state/state-writer.js';
import { runTransition } from '../state/transitions.js';
import type { RunStore } from '../store/run-store.js';
import type { Clock } from '../time/clock.js';
import { clearRun } from './clear.js';
import { RunLease } from './lease.js';

/** What the fenced run operations of the scheduler need of the engine. */
export interface RunControlContext {
  readonly store: RunStore;
  readonly clock: Clock;
  readonly leaseTtlMs: number;
}

/**
 * Which finished runs `requeueRun` queues again: those that ended before an instant (a date a backfill
 * re-processes) or whose last execution started before it (an asset consumer older than its newest input).
 */
export type RequeueCondition =
  | { readonly endedBefore: string; readonly startedBefore?: never }
  | { readonly startedBefore: string; readonly endedBefore?: never };

/**
 * Queues a finished run again (every task, or only its failed ones) when it meets `options`' condition.
 * Decided under the run's lease, so two schedulers reading the same stale run re-queue it once: the second
 * finds it queued (or no longer meeting the condition) and does nothing. False when nothing was queued.
 */
export async function requeueRun(
  ctx: RunControlContext,
  dag: Dag,
  runId: string,
  options: RequeueCondition & { readonly onlyFailed?: boolean },
): Promise<boolean> {
  const lease = await RunLease.acquire(ctx.store, ctx.clock, dag.id, runId, ctx.leaseTtlMs);
  try {
    const run = await ctx.store.getRun(dag.id, runId);
    if (!run || !isFinalRunState(run.state)) return false;
    const stale =
      options.startedBefore !== undefined
        ? (run.startedAt ?? '') < options.startedBefore
        : (run.endedAt ?? '') < options.endedBefore;
    if (!stale) return false;
    const clearOptions = options.onlyFailed ? { onlyFailed: true } : {};
    const { cleared } = await clearRun(ctx.store, dag, run, clearOptions, lease.fence);
    if (cleared.length === 0) {
      // Nothing to reset (a cancelled run whose tasks never started): queued as it is, its tasks run.
      const writer = new StateWriter(ctx.store, lease.fence);
      writer.stage(runTransition(run, 'queued', { endedAt: null }));
      await writer.commit();
    }
    return true;
  } finally {
    await lease.release();
  }
}

/**
 * Fails a run that is still queued (nothing of it started): a cancelled backfill's. Under the run's lease,
 * so a scheduler starting it at the same moment either gets it first (the run goes on) or finds it failed.
 * False when the run was not queued.
 */
export async function failQueuedRun(ctx: RunControlContext, dagId: string, runId: string): Promise<boolean> {
  const lease = await RunLease.acquire(ctx.store, ctx.clock, dagId, runId, ctx.leaseTtlMs);
  try {
    const run = await ctx.store.getRun(dagId, runId);
    if (run?.state !== 'queued') return false;
    const writer = new StateWriter(ctx.store, lease.fence);
    writer.stage(runTransition(run, 'failed', { endedAt: new Date(ctx.clock.now()).toISOString() }));
    await writer.commit();
    return true;
  } finally {
    await lease.release();
  }
}
