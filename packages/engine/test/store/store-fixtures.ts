import type { LeaseClaim, NewRun, TryRecord } from '@streampro/engine';

/** Records the store contract suites build their cases from. */

export const T0 = '2025-01-01T00:00:00.000Z';

export function newRun(dagId: string, day: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    dagId,
    runId: `manual__${day}`,
    logicalDate: `${day}T00:00:00.000Z`,
    runType: 'manual',
    params: { limit: 10, name: 'x', dry: false },
    createdAt: T0,
    ...overrides,
  };
}

export function claim(owner: string, now: string, expiresAt: string, pid = 4242): LeaseClaim {
  return { owner, host: 'host-a', pid, now, expiresAt };
}

export function tryRecord(taskId: string, tryNumber: number): TryRecord {
  return {
    dagId: 'd',
    runId: 'manual__2025-01-01',
    taskId,
    tryNumber,
    state: 'running',
    startedAt: T0,
    endedAt: null,
    durationMs: null,
    errorName: null,
    errorMessage: null,
    errorStack: null,
    logPath: `/logs/${taskId}/${tryNumber}.log`,
    host: 'host-a',
    pid: 4242,
  };
}

/** A `canTakeOver` callback that never lets a live holder go. */
export const never = (): boolean => false;
