import type { ResolvedTaskOptions } from '../model/options.js';

export type RetryPolicy = Pick<
  ResolvedTaskOptions,
  'retryDelay' | 'retryExponentialBackoff' | 'maxRetryDelay' | 'jitter'
>;

/**
 * Delay before the try that follows failed try number `failedTry` (1-based), in milliseconds.
 * Pure: `random` is a draw in [0, 1) supplied by the caller (0.5 means no jitter offset).
 * Exponential: retryDelay * m^(failedTry - 1), m = 2 for `true` or the multiplier given; always capped by
 * maxRetryDelay, after jitter.
 */
export function retryDelayMs(policy: RetryPolicy, failedTry: number, random = 0.5): number {
  const backoff = policy.retryExponentialBackoff;
  const multiplier = backoff === true ? 2 : backoff === false ? 1 : backoff;
  const base = policy.retryDelay * multiplier ** Math.max(0, failedTry - 1);
  const capped = Math.min(base, policy.maxRetryDelay);
  const jittered = capped * (1 + policy.jitter * (2 * random - 1));
  return Math.max(0, Math.min(Math.round(jittered), policy.maxRetryDelay));
}
