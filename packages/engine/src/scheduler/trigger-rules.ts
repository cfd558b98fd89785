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
  /** Of those, the setup tasks (only `all_done_setup_success` reads them). */
  readonly setups?: { readonly total: number; readonly success: number; readonly skipped: number };
}

/** Counts upstream states; `setupStates` are the states of the upstream tasks that are setups. */
export function countUpstream(
  states: readonly TaskState[],
  setupStates: readonly TaskState[] = [],
): UpstreamCounts {
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
  const counts = { total: states.length, success, skipped, failed, upstreamFailed };
  if (setupStates.length === 0) return counts;
  const setups = {
    total: setupStates.length,
    success: setupStates.filter((s) => s === 'success').length,
    skipped: setupStates.filter((s) => s === 'skipped').length,
  };
  return { ...counts, setups };
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
    case 'all_done_setup_success': {
      // A teardown's rule, as Airflow decides it: once all upstream tasks are done, it runs when an upstream
      // setup succeeded (a resource exists to remove, even if another setup failed), is skipped when every
      // setup was skipped (none was made), else upstream_failed. Without upstream setups it is all_done.
      if (!allDone) return 'wait';
      const setups = c.setups;
      if (!setups || setups.success > 0) return 'run';
      return setups.skipped === setups.total ? 'skip' : 'upstream_failed';
    }
    default: {
      const never: never = rule;
      throw new Error(`unknown trigger rule ${String(never)}`);
    }
  }
}
