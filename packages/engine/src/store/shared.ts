import { LeaseLostError } from '../model/errors.js';
import type {
  DagRunRecord,
  Fence,
  LeaseClaim,
  LeaseInfo,
  StateChange,
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

/**
 * Checks, before a fenced batch writes anything, that the batch changes only the fenced run and that the
 * run's current lease is the fence's.
 */
export function checkFence(lease: LeaseInfo | null, fence: Fence, changes: readonly StateChange[]): void {
  for (const c of changes) {
    const run = c.kind === 'try-start' ? c.record : c.kind === 'asset-event' ? c.event : c;
    if (run.dagId !== fence.dagId || run.runId !== fence.runId) {
      throw new Error(
        `a batch fenced for run ${fence.dagId}/${fence.runId} changes run ${run.dagId}/${run.runId}`,
      );
    }
  }
  if (!holdsFence(lease, fence)) {
    throw new LeaseLostError(fence.dagId, fence.runId, fence.epoch, lease);
  }
}

/** Newest logical date first, then DAG id in code-unit order (SQLite's default collation, not the locale's). */
export function sortRuns(rows: DagRunRecord[]): DagRunRecord[] {
  const byCodeUnit = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return rows.sort((a, b) =>
    a.logicalDate === b.logicalDate ? byCodeUnit(a.dagId, b.dagId) : byCodeUnit(b.logicalDate, a.logicalDate),
  );
}
