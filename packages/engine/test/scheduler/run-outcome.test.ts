import type { TaskState } from '@streampro/engine';
import { runOutcome } from '@streampro/engine/internal';
import { expect } from 'chai';

describe('runOutcome', () => {
  const cases: [TaskState[], boolean, string][] = [
    [['success', 'skipped'], false, 'success'],
    [['success', 'failed'], false, 'failed'],
    [['upstream_failed', 'none'], false, 'failed'],
    [['none', 'failed'], false, 'failed'],
    [['success', 'none'], false, 'queued'],
    [['success', 'up_for_retry'], false, 'queued'],
    [['success', 'success'], true, 'queued'],
    [['failed'], true, 'queued'],
    [[], false, 'success'],
  ];
  for (const [states, interrupted, want] of cases) {
    it(`${states.join(', ') || '(no tasks)'}${interrupted ? ' (interrupted)' : ''} -> ${want}`, () => {
      expect(runOutcome(states, interrupted)).to.equal(want);
    });
  }
});
