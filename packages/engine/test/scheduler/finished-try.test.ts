import {
  DEFAULT_TASK_OPTIONS,
  NonRetryableError,
  type ResolvedTaskOptions,
  RetryAfter,
} from '@streampro/engine';
import { decideFinishedTry, outcomeOfError } from '@streampro/engine/internal';
import { expect } from 'chai';

const options: ResolvedTaskOptions = { ...DEFAULT_TASK_OPTIONS, retries: 2, retryDelay: 1000, jitter: 0 };
const base = { tryNumber: 1, maxTries: 3, options, stopping: false, nowMs: 10_000, random: 0.5 };

describe('decideFinishedTry', () => {
  it('success and skipped are final as they are', () => {
    expect(decideFinishedTry({ ...base, outcome: { kind: 'success', output: 1 } })).to.deep.equal({
      state: 'success',
    });
    expect(decideFinishedTry({ ...base, outcome: { kind: 'skipped', reason: 'r' } })).to.deep.equal({
      state: 'skipped',
    });
  });

  it('a retryable failure with tries left is retried after the policy delay', () => {
    const error = new Error('flaky');
    const d = decideFinishedTry({ ...base, outcome: outcomeOfError(error) });
    expect(d).to.deep.equal({ state: 'up_for_retry', error, delayMs: 1000, nextTryAt: 11_000 });
  });

  it('RetryAfter overrides the policy delay', () => {
    const d = decideFinishedTry({ ...base, outcome: outcomeOfError(new RetryAfter(42, 'busy')) });
    expect(d).to.include({ state: 'up_for_retry', delayMs: 42, nextTryAt: 10_042 });
  });

  it('fails at once on a non-retryable error, on the last try, or when the run is stopping', () => {
    const flaky = outcomeOfError(new Error('flaky'));
    expect(
      decideFinishedTry({ ...base, outcome: outcomeOfError(new NonRetryableError('no')) }).state,
    ).to.equal('failed');
    expect(decideFinishedTry({ ...base, tryNumber: 3, outcome: flaky }).state).to.equal('failed');
    expect(decideFinishedTry({ ...base, stopping: true, outcome: flaky }).state).to.equal('failed');
  });
});
