import type { TryOutcome } from '../executor/executor.js';
import type { ResolvedTaskOptions } from '../model/options.js';
import { retryDelayMs } from './retry-policy.js';

/** What a finished try makes of its task instance. */
export type FinishedTry =
  | { readonly state: 'success' | 'skipped' }
  | { readonly state: 'failed'; readonly error: Error }
  | {
      readonly state: 'up_for_retry';
      readonly error: Error;
      readonly delayMs: number;
      readonly nextTryAt: number;
    };

export interface FinishedTryInput {
  readonly outcome: TryOutcome;
  readonly tryNumber: number;
  readonly maxTries: number;
  readonly options: ResolvedTaskOptions;
  /** The run is stopping (Ctrl-C, a lost lease): nothing is retried. */
  readonly stopping: boolean;
  readonly nowMs: number;
  /** A draw in [0, 1) for the policy's jitter. */
  readonly random: number;
}

/**
 * Decides, without effects, the state a try's outcome gives its task: retried when the error is retryable,
 * tries remain and the run is not stopping (at the delay the task asked for, or the policy's), else failed.
 */
export function decideFinishedTry(input: FinishedTryInput): FinishedTry {
  const { outcome } = input;
  if (outcome.kind !== 'failed') return { state: outcome.kind };
  if (!outcome.retryable || input.stopping || input.tryNumber >= input.maxTries) {
    return { state: 'failed', error: outcome.error };
  }
  const delayMs = outcome.retryAfterMs ?? retryDelayMs(input.options, input.tryNumber, input.random);
  return { state: 'up_for_retry', error: outcome.error, delayMs, nextTryAt: input.nowMs + delayMs };
}
