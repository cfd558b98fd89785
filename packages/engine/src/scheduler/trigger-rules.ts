import type { TaskState } from '../model/states.js';
import type { TriggerRule } from '../model/trigger-rule.js';

/** What the scheduler does with a task whose upstream tasks are in the given states. */
export type TriggerDecision = 'run' | 'skip' | 'upstream_failed' | 'wait';

export interface UpstreamCounts {
  readonly total: number;
  readonly success: number;
  readonly skipped: number;
  readonly failed: number;
  readonly upstreamFailed: number;
}

export function countUpstream(states: readonly TaskState[]): UpstreamCounts {
  let success = 0;
  let skipped = 0;
  let failed = 0;
  let upstreamFailed = 0;
  for (const s of states) {
    if (s === 'success') success++;
    else if (s === 'skipped') skipped++;
    else if (s === 'failed') failed++;
    else if (s === 'upstream_failed') upstreamFailed++;
  }
  return { total: states.length, success, skipped, failed, upstreamFailed };
}

/**
 * Airflow's trigger-rule semantics, decided as early as the upstream states allow (e.g. `one_success` runs
 * as soon as one upstream succeeded; `all_success` is upstream_failed as soon as one upstream failed).
 * A task without upstream tasks always runs.
 */
export function decide(rule: TriggerRule, c: UpstreamCounts): TriggerDecision {
  if (c.total === 0 || rule === 'always') return 'run';
  const failures = c.failed + c.upstreamFailed;
  const done = c.success + c.skipped + failures;
  const allDone = done === c.total;
  switch (rule) {
    case 'all_success':
      if (failures > 0) return 'upstream_failed';
      if (c.skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'all_failed':
      if (c.success > 0 || c.skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'all_done':
      return allDone ? 'run' : 'wait';
    case 'one_success':
      if (c.success > 0) return 'run';
      if (!allDone) return 'wait';
      return failures > 0 ? 'upstream_failed' : 'skip';
    case 'one_failed':
      if (failures > 0) return 'run';
      return allDone ? 'skip' : 'wait';
    case 'none_failed':
      if (failures > 0) return 'upstream_failed';
      return allDone ? 'run' : 'wait';
    case 'none_failed_min_one_success':
      if (failures > 0) return 'upstream_failed';
      if (!allDone) return 'wait';
      return c.success > 0 ? 'run' : 'skip';
    case 'none_skipped':
      if (c.skipped > 0) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'one_done':
      // A success or a failure of its own (not an upstream_failed) starts it; all done without one skips it.
      if (c.success + c.failed > 0) return 'run';
      return allDone ? 'skip' : 'wait';
    case 'all_skipped':
      if (c.success + failures > 0) return 'skip';
      return allDone ? 'run' : 'wait';
    case 'all_done_min_one_success':
      if (!allDone) return 'wait';
      if (c.success > 0) return 'run';
      return c.skipped === c.total ? 'skip' : 'upstream_failed';
    case 'all_done_setup_success':
      // Without setup tasks among the upstream (StreamPro has none yet), Airflow's rule is all_done.
      return allDone ? 'run' : 'wait';
    default: {
      const never: never = rule;
      throw new Error(`unknown trigger rule ${String(never)}`);
    }
  }
}
