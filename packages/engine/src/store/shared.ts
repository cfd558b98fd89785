import type { DagRunRecord, LeaseClaim, LeaseInfo, StateChange, TaskInstanceRecord } from './records.js';

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

/** Newest logical date first, then run id. */
export function sortRuns(rows: DagRunRecord[]): DagRunRecord[] {
  return rows.sort((a, b) =>
    a.logicalDate === b.logicalDate ? a.dagId.localeCompare(b.dagId) : a.logicalDate < b.logicalDate ? 1 : -1,
  );
}
