import type { TaskState } from '@streampro/engine';
import { runOutcome } from '@streampro/engine/internal';
import { expect } from 'chai';

describe('runOutcome', () => {
  // Each task a leaf unless marked `!` (an upstream of another task).
  const cases: [string[], boolean, string][] = [
    [['success', 'skipped'], false, 'success'],
    [['success', 'failed'], false, 'failed'],
    [['upstream_failed', 'none'], false, 'failed'],
    [['none', 'failed'], false, 'failed'],
    [['success', 'none'], false, 'queued'],
    [['success', 'up_for_retry'], false, 'queued'],
    [['success', 'success'], true, 'queued'],
    [['failed'], true, 'queued'],
    [[], false, 'success'],
    // Airflow's leaf rule: a failure that a leaf tolerated does not fail the run; a failed leaf does.
    [['!failed', 'success'], false, 'success'],
    [['!failed', 'upstream_failed'], false, 'failed'],
    [['!success', 'skipped'], false, 'success'],
    [['!failed', 'none'], false, 'failed'],
  ];
  for (const [states, interrupted, want] of cases) {
    it(`${states.join(', ') || '(no tasks)'}${interrupted ? ' (interrupted)' : ''} -> ${want}`, () => {
      const tasks = states.map((s) => ({ state: s.replace('!', '') as TaskState, leaf: !s.startsWith('!') }));
      expect(runOutcome(tasks, interrupted)).to.equal(want);
    });
  }
});
