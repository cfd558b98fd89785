import type { Dag } from '../model/dag.js';
import { InvalidInputError, LeaseConflictError, NotFoundError } from '../model/errors.js';
import type { ParamValue } from '../model/params.js';
import type { BackfillRecord, BackfillState } from '../store/backfill-records.js';
import type { RunStore } from '../store/run-store.js';
import type { BackfillOptions, BackfillPlan } from './api-types.js';
import { failQueuedRun, type RunControlContext } from './run-control.js';

/** Records a planned backfill and its dates (with the run each existing date has) for the scheduler. */
export async function queueBackfill(
  store: RunStore,
  dag: Dag,
  options: BackfillOptions,
  plan: BackfillPlan,
  params: Readonly<Record<string, ParamValue>>,
  now: string,
): Promise<BackfillRecord> {
  const maxActiveRuns = options.maxActiveRuns ?? dag.maxActiveRuns;
  if (!Number.isInteger(maxActiveRuns) || maxActiveRuns < 1) {
    throw new InvalidInputError(`max active runs must be a positive integer, got ${maxActiveRuns}`);
  }
  if (plan.entries.length === 0) {
    throw new InvalidInputError(`${dag.id} has no scheduled date in that range: nothing to backfill`);
  }
  const runs = new Map((await store.listRuns(dag.id)).map((r) => [r.logicalDate, r.runId]));
  const sorted = plan.entries.map((e) => e.logicalDate).sort();
  return store.createBackfill(
    {
      dagId: dag.id,
      startDate: sorted[0]!,
      endDate: sorted.at(-1)!,
      reprocess: options.reprocess ?? 'none',
      backwards: options.backwards ?? false,
      maxActiveRuns,
      params,
      createdAt: now,
    },
    plan.entries.map((e) => ({
      logicalDate: e.logicalDate,
      action: e.action,
      runId: runs.get(e.logicalDate) ?? null,
    })),
  );
}

export type BackfillChange = 'pause' | 'unpause' | 'cancel';

const CHANGES: Readonly<Record<BackfillChange, { to: BackfillState; from: readonly BackfillState[] }>> = {
  pause: { to: 'paused', from: ['running'] },
  unpause: { to: 'running', from: ['paused'] },
  cancel: { to: 'cancelled', from: ['running', 'paused'] },
};

/**
 * Applies a user's change to a backfill. Cancelling also fails its runs still queued (a scheduler
 * sweeps those created meanwhile, and marks it complete when none is queued or running).
 */
export async function changeBackfill(
  ctx: RunControlContext,
  id: number,
  change: BackfillChange,
): Promise<BackfillRecord> {
  const { to, from } = CHANGES[change];
  const now = new Date(ctx.clock.now()).toISOString();
  const changed = await ctx.store.setBackfillState(id, to, now, from);
  if (!changed) {
    const current = await ctx.store.getBackfill(id);
    if (!current) throw new NotFoundError(`no backfill ${id}; see dag backfill list`);
    throw new InvalidInputError(
      `backfill ${id} is ${current.state}: only a ${from.join(' or ')} backfill can be ${change === 'cancel' ? 'cancelled' : `${change}d`}`,
    );
  }
  if (change === 'cancel') await failQueuedRunsOf(ctx, changed);
  return changed;
}

/** Fails the queued runs of a cancelled backfill; returns how many are still queued or running. */
export async function failQueuedRunsOf(ctx: RunControlContext, backfill: BackfillRecord): Promise<number> {
  const runs = new Map((await ctx.store.listRuns(backfill.dagId)).map((r) => [r.logicalDate, r]));
  let unfinished = 0;
  for (const date of await ctx.store.listBackfillDates(backfill.id)) {
    const run = runs.get(date.logicalDate);
    if (date.claimedAt === null || !run) continue;
    if (run.state === 'queued') {
      try {
        if (await failQueuedRun(ctx, run.dagId, run.runId)) continue;
      } catch (error) {
        // A scheduler is starting it this very moment: the run goes on and ends by itself.
        if (!(error instanceof LeaseConflictError)) throw error;
      }
      unfinished++;
    } else if (run.state === 'running') unfinished++;
  }
  return unfinished;
}
