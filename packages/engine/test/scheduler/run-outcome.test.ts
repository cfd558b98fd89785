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
  // Teardowns (`~`: one whose failure is ignored) never decide the run; the tasks they stand aside for do.
  const withTeardowns: [string, { state: TaskState; leaf: boolean; ignoredTeardown?: boolean }[], string][] =
    [
      [
        'a failed teardown after successful work',
        [
          { state: 'success', leaf: true },
          { state: 'failed', leaf: false, ignoredTeardown: true },
        ],
        'success',
      ],
      [
        'a teardown that ran after failed work',
        [
          { state: 'failed', leaf: true },
          { state: 'success', leaf: false, ignoredTeardown: true },
        ],
        'failed',
      ],
      [
        'a failed teardown with failRunOnFailure (a leaf)',
        [
          { state: 'success', leaf: false },
          { state: 'failed', leaf: true },
        ],
        'failed',
      ],
      [
        'a failed teardown while other tasks wait',
        [
          { state: 'none', leaf: true },
          { state: 'failed', leaf: false, ignoredTeardown: true },
        ],
        'queued',
      ],
    ];
  for (const [name, tasks, want] of withTeardowns) {
    it(`${name} -> ${want}`, () => {
      expect(runOutcome(tasks, false)).to.equal(want);
    });
  }

  for (const [states, interrupted, want] of cases) {
    it(`${states.join(', ') || '(no tasks)'}${interrupted ? ' (interrupted)' : ''} -> ${want}`, () => {
      const tasks = states.map((s) => ({ state: s.replace('!', '') as TaskState, leaf: !s.startsWith('!') }));
      expect(runOutcome(tasks, interrupted)).to.equal(want);
    });
  }
});
