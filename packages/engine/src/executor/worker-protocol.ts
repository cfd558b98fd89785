import type { TaskInstanceKey } from '../logging/logger.js';
import type { SecretMasker } from '../logging/mask.js';
import type { TryOutcome, TryPlacement } from './executor.js';
import type { TryJob } from './try-descriptor.js';

/**
 * Messages between the pool (parent) and a worker process, over Node's IPC channel as JSON.
 * parent → worker: `run` one try (a worker runs one at a time), `abort` it, `ping` (the owner is alive).
 * worker → parent: `started`, `secret` values registered by the body, then `finished` with the outcome.
 */
export type ToWorker =
  | { readonly type: 'run'; readonly job: TryJob }
  | { readonly type: 'abort'; readonly error: WireError }
  | { readonly type: 'ping' }
  /** Import a DAG module now, before its first try (a run is about to start). */
  | { readonly type: 'load'; readonly dagFile: string };

export type FromWorker =
  | { readonly type: 'started'; readonly key: TaskInstanceKey; readonly placement: TryPlacement }
  /** The body registered a value to mask (`ctx.maskSecret`): the run masks it everywhere from now on. */
  | { readonly type: 'secret'; readonly key: TaskInstanceKey; readonly value: string }
  | { readonly type: 'finished'; readonly key: TaskInstanceKey; readonly outcome: WireOutcome }
  /** The module asked for by `load` is imported (or failed to; its tries will report why). */
  | { readonly type: 'loaded'; readonly dagFile: string };

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type WireOutcome =
  | { readonly kind: 'success'; readonly output: unknown }
  | { readonly kind: 'skipped'; readonly reason: string }
  | {
      readonly kind: 'failed';
      readonly error: WireError;
      readonly retryable: boolean;
      readonly retryAfterMs?: number;
    };

/** An error as plain JSON, masked: it leaves the worker only in this form. */
export function toWireError(error: Error, masker?: SecretMasker): WireError {
  const mask = (text: string): string => (masker ? masker.mask(text) : text);
  return {
    name: error.name,
    message: mask(error.message),
    ...(error.stack ? { stack: mask(error.stack) } : {}),
  };
}

/** An Error with the name, message and stack of the wire form (classes do not cross processes). */
export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  error.stack = wire.stack ?? `${wire.name}: ${wire.message}`;
  return error;
}

export function toWireOutcome(outcome: TryOutcome, masker: SecretMasker): WireOutcome {
  if (outcome.kind !== 'failed') return outcome;
  return {
    kind: 'failed',
    error: toWireError(outcome.error, masker),
    retryable: outcome.retryable,
    ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
  };
}

export function fromWireOutcome(wire: WireOutcome): TryOutcome {
  if (wire.kind !== 'failed') return wire;
  return {
    kind: 'failed',
    error: fromWireError(wire.error),
    retryable: wire.retryable,
    ...(wire.retryAfterMs === undefined ? {} : { retryAfterMs: wire.retryAfterMs }),
  };
}
