import { DagDefinitionError, DEFAULT_TASK_OPTIONS, defineDag, type TaskOptions } from '@streampro/engine';
import { type RetryPolicy, retryDelayMs } from '@streampro/engine/internal';
import { expect } from 'chai';
import { thrown } from '../support/fixtures.js';

const policy = (overrides: Partial<RetryPolicy>): RetryPolicy => ({
  retryDelay: 1000,
  retryExponentialBackoff: false,
  maxRetryDelay: 3_600_000,
  jitter: 0,
  ...overrides,
});

describe('retry policy', () => {
  describe('retryDelayMs', () => {
    it('waits retryDelay after every failed try when the delay is fixed', () => {
      expect([1, 2, 3, 10].map((n) => retryDelayMs(policy({}), n))).to.deep.equal([1000, 1000, 1000, 1000]);
    });

    it('doubles the delay after each failed try with exponential backoff', () => {
      const p = policy({ retryExponentialBackoff: true });
      expect([1, 2, 3, 4].map((n) => retryDelayMs(p, n))).to.deep.equal([1000, 2000, 4000, 8000]);
    });

    it('multiplies the delay by a given multiplier after each failed try', () => {
      expect([1, 2, 3, 4].map((n) => retryDelayMs(policy({ retryExponentialBackoff: 3 }), n))).to.deep.equal([
        1000, 3000, 9000, 27000,
      ]);
      expect([1, 2, 3].map((n) => retryDelayMs(policy({ retryExponentialBackoff: 1.5 }), n))).to.deep.equal([
        1000, 1500, 2250,
      ]);
      expect([1, 5].map((n) => retryDelayMs(policy({ retryExponentialBackoff: 1 }), n))).to.deep.equal([
        1000, 1000,
      ]);
    });

    it('caps every delay at maxRetryDelay, even for huge try numbers', () => {
      const p = policy({ retryExponentialBackoff: true, maxRetryDelay: 5000 });
      expect([3, 4, 5, 2000].map((n) => retryDelayMs(p, n))).to.deep.equal([4000, 5000, 5000, 5000]);
      expect(retryDelayMs(policy({ retryDelay: 9000, maxRetryDelay: 5000 }), 1)).to.equal(5000);
    });

    it('spreads the delay by ±jitter: random 0 gives the low bound, random near 1 the high bound', () => {
      const p = policy({ jitter: 0.2 });
      expect(retryDelayMs(p, 1, 0)).to.equal(800);
      expect(retryDelayMs(p, 1, 0.5)).to.equal(1000);
      expect(retryDelayMs(p, 1, 0.999_999)).to.equal(1200);
      for (let r = 0; r < 1; r += 0.01) {
        const d = retryDelayMs(p, 1, r);
        expect(d).to.be.within(800, 1200);
      }
    });

    it('never lets jitter push the delay over maxRetryDelay', () => {
      const p = policy({ jitter: 0.5, maxRetryDelay: 1000 });
      expect(retryDelayMs(p, 1, 0.999_999)).to.equal(1000);
      expect(retryDelayMs(p, 1, 0)).to.equal(500);
    });

    it('is zero for a zero delay whatever the jitter', () => {
      expect(retryDelayMs(policy({ retryDelay: 0, jitter: 1 }), 3, 0.9)).to.equal(0);
    });

    it('defaults to no retries, 1 s fixed delay, one hour cap and no jitter', () => {
      expect(DEFAULT_TASK_OPTIONS).to.deep.include({
        retries: 0,
        retryDelay: 1000,
        retryExponentialBackoff: false,
        maxRetryDelay: 3_600_000,
        jitter: 0,
      });
    });
  });

  describe('retryExponentialBackoff when the task is defined', () => {
    for (const value of [true, false, 1, 2, 3.5] as const) {
      it(`accepts ${value}, from the task or the DAG's defaults`, () => {
        const dag = defineDag({
          id: 'd',
          startDate: '2025-01-01',
          defaultTaskOptions: { retryExponentialBackoff: value },
        });
        dag.task({ id: 'own', retryExponentialBackoff: value, run: () => 1 });
        dag.task({ id: 'inherited', run: () => 1 });
        expect(dag.getTask('own')!.options.retryExponentialBackoff).to.equal(value);
        expect(dag.getTask('inherited')!.options.retryExponentialBackoff).to.equal(value);
      });
    }
  });

  describe('invalid options are rejected when the task is defined', () => {
    const cases: readonly [string, Record<string, unknown>, string][] = [
      ['negative retries', { retries: -1 }, 'retries must be a non-negative integer, got -1'],
      ['fractional retries', { retries: 1.5 }, 'retries must be a non-negative integer, got 1.5'],
      ['retries as text', { retries: '3' }, 'retries must be a non-negative integer, got "3"'],
      [
        'negative retryDelay',
        { retryDelay: -5 },
        'retryDelay must be a non-negative number of milliseconds, got -5',
      ],
      [
        'infinite maxRetryDelay',
        { maxRetryDelay: Number.POSITIVE_INFINITY },
        'maxRetryDelay must be a non-negative number of milliseconds, got Infinity',
      ],
      ['jitter above 1', { jitter: 1.5 }, 'jitter must be a number between 0 and 1, got 1.5'],
      ['NaN jitter', { jitter: Number.NaN }, 'jitter must be a number between 0 and 1, got NaN'],
      [
        'zero executionTimeout',
        { executionTimeout: 0 },
        'executionTimeout must be a positive number of milliseconds, got 0',
      ],
      [
        'non-boolean backoff',
        { retryExponentialBackoff: 'yes' },
        'retryExponentialBackoff must be true, false or a multiplier of at least 1 (e.g. 2), got "yes"',
      ],
      [
        'backoff multiplier below 1',
        { retryExponentialBackoff: 0.5 },
        'retryExponentialBackoff must be true, false or a multiplier of at least 1 (e.g. 2), got 0.5',
      ],
      [
        'infinite backoff multiplier',
        { retryExponentialBackoff: Number.POSITIVE_INFINITY },
        'retryExponentialBackoff must be true, false or a multiplier of at least 1 (e.g. 2), got Infinity',
      ],
      [
        'unknown trigger rule',
        { triggerRule: 'sometimes' },
        'triggerRule must be one of all_success, all_failed, all_done, one_success, one_failed, none_failed, ' +
          'none_failed_min_one_success, none_skipped, always, one_done, all_skipped, all_done_min_one_success, ' +
          'all_done_setup_success, got "sometimes"',
      ],
      ['fractional priorityWeight', { priorityWeight: 1.5 }, 'priorityWeight must be an integer, got 1.5'],
    ];

    for (const [name, options, message] of cases) {
      it(`${name}: ${message}`, () => {
        const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
        // Options arrive untyped from JavaScript DAG files too; the cast stands in for such a caller.
        const error = thrown(() => dag.task({ id: 't', ...(options as TaskOptions), run: () => 1 }));
        expect(error).to.be.instanceOf(DagDefinitionError);
        expect(error.message).to.equal(`DAG 'd' task 't': ${message}`);
        expect(dag.tasks).to.have.length(0);
      });
    }

    it('names the DAG defaults when they are invalid', () => {
      const error = thrown(() =>
        defineDag({ id: 'd', startDate: '2025-01-01', defaultTaskOptions: { retries: -1 } }),
      );
      expect(error).to.be.instanceOf(DagDefinitionError);
      expect(error.message).to.equal(
        "DAG 'd' defaultTaskOptions: retries must be a non-negative integer, got -1",
      );
    });

    it('rejects a pool name that is not a valid id', () => {
      const dag = defineDag({ id: 'd', startDate: '2025-01-01' });
      const error = thrown(() => dag.task({ id: 't', pool: 'a/b', run: () => 1 }));
      expect(error).to.be.instanceOf(DagDefinitionError);
      expect(error.message).to.match(/^invalid pool id "a\/b": ids may contain only letters/);
    });
  });
});
