import { NonRetryableError, RetryAfter, SkipTask } from '../model/errors.js';
import type { TryOutcome } from './executor.js';
import { permanentOsFailure } from './permanent-errors.js';

/** Classifies what a task threw: retryability is a property of the error. */
export function outcomeOfError(error: unknown): TryOutcome {
  if (error instanceof SkipTask) return { kind: 'skipped', reason: error.reason };
  const err = error instanceof Error ? error : new Error(`task threw a non-Error value: ${String(error)}`);
  if (err instanceof NonRetryableError) return { kind: 'failed', error: err, retryable: false };
  if (err instanceof RetryAfter)
    return { kind: 'failed', error: err, retryable: true, retryAfterMs: err.delayMs };
  return permanentOsFailure(err) ?? { kind: 'failed', error: err, retryable: true };
}
