import type { RunSummary } from '@streampro/engine';
import { dateLabel } from '../parse/dates.js';

/** The `--json` shape of one run, shared by `dag status` and `dag run`. */
export interface RunJson {
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: string;
  readonly state: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly tasks: readonly {
    readonly taskId: string;
    readonly state: string;
    readonly tryNumber: number;
    readonly startedAt: string | null;
    readonly endedAt: string | null;
    readonly durationMs: number | null;
    readonly logPath: string | null;
    readonly error: string | null;
    readonly output: unknown;
  }[];
}

export function runJson(run: RunSummary): RunJson {
  return {
    dagId: run.dagId,
    runId: run.runId,
    logicalDate: dateLabel(run.logicalDate) ?? run.logicalDate,
    state: run.state,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    tasks: run.tasks.map((t) => ({
      taskId: t.taskId,
      state: t.state,
      tryNumber: t.tryNumber,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
      durationMs: t.durationMs,
      logPath: t.logPath,
      error: t.error,
      output: t.output ?? null,
    })),
  };
}
