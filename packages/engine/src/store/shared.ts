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

/** Newest logical date first, then DAG id in code-unit order (SQLite's default collation, not the locale's). */
export function sortRuns(rows: DagRunRecord[]): DagRunRecord[] {
  const byCodeUnit = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return rows.sort((a, b) =>
    a.logicalDate === b.logicalDate ? byCodeUnit(a.dagId, b.dagId) : byCodeUnit(b.logicalDate, a.logicalDate),
  );
}
