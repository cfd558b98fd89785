import { setTimeout as sleep } from 'node:timers/promises';
import { NonRetryableError, SkipTask } from '@streampro/engine';
import { mapLimit } from '../storage/map-limit.js';
import type { ObjectStore } from '../storage/object-store.js';
import { type OpenStoreOptions, openStore } from '../storage/open-store.js';
import { type OperatorRun, type Resolvable, resolve } from './operator.js';

export interface WaitForObjectsOptions {
  /** An open store (the caller closes it) or a URI (opened and closed by the task). */
  readonly store: Resolvable<ObjectStore | string>;
  readonly keys: Resolvable<readonly string[]>;
  /** @default 30_000 */
  readonly pollIntervalMs?: number;
  /** How long to wait in total before giving up. @default 3_600_000 (1 hour) */
  readonly timeoutMs?: number;
  /** `fail`: throw WaitForObjectsTimeoutError; `skip`: throw SkipTask so downstream sees a skip. @default 'fail' */
  readonly onTimeout?: 'fail' | 'skip';
  /** S3 settings used when `store` is a URI. */
  readonly storeOptions?: OpenStoreOptions;
}

export interface WaitForObjectsOutput {
  readonly store: string;
  readonly keys: readonly string[];
  readonly polls: number;
  readonly waitedMs: number;
}

/**
 * The sensor gave up. Not retryable (as Airflow's sensor timeout): a retry would only wait the
 * same time again; give a longer `timeoutMs` instead.
 */
export class WaitForObjectsTimeoutError extends NonRetryableError {
  override readonly name = 'WaitForObjectsTimeoutError';
  constructor(
    readonly storeUri: string,
    readonly missingKeys: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(
      `timed out after ${timeoutMs} ms waiting for ${missingKeys.length} object(s) in ${storeUri}: ${missingKeys.join(', ')}`,
    );
  }
}

function checkMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`waitForObjects: ${name} must be >= 0, got ${value}`);
  return value;
}

/** A sensor task: polls until every key exists, honouring `ctx.signal` between and during polls. */
export function waitForObjects(options: WaitForObjectsOptions): OperatorRun<WaitForObjectsOutput> {
  const pollIntervalMs = checkMs('pollIntervalMs', options.pollIntervalMs ?? 30_000);
  if (pollIntervalMs === 0) throw new RangeError('waitForObjects: pollIntervalMs must be > 0');
  const timeoutMs = checkMs('timeoutMs', options.timeoutMs ?? 3_600_000);
  return async (ctx) => {
    const given = await resolve(options.store, ctx);
    const store = typeof given === 'string' ? await openStore(given, options.storeOptions) : given;
    try {
      const keys = [...(await resolve(options.keys, ctx))];
      const started = Date.now();
      const deadline = started + timeoutMs;
      let missing = keys;
      let polls = 0;
      for (;;) {
        ctx.signal.throwIfAborted();
        polls++;
        const present = await mapLimit(missing, 16, (key) => store.exists(key));
        missing = missing.filter((_, index) => !present[index]);
        if (missing.length === 0) {
          const waitedMs = Date.now() - started;
          ctx.log.info('all objects present', { store: store.uri, count: keys.length, polls, waitedMs });
          return { store: store.uri, keys, polls, waitedMs };
        }
        const left = deadline - Date.now();
        if (left <= 0) break;
        ctx.log.debug('waiting for objects', { store: store.uri, missing, polls });
        // Rejects as soon as the signal aborts, so cancellation does not wait out the interval.
        await sleep(Math.min(pollIntervalMs, left), undefined, { signal: ctx.signal }).catch(
          (error: unknown) => {
            ctx.signal.throwIfAborted();
            throw error;
          },
        );
      }
      const error = new WaitForObjectsTimeoutError(store.uri, missing, timeoutMs);
      if (options.onTimeout === 'skip') throw new SkipTask(error.message);
      throw error;
    } finally {
      if (typeof given === 'string') await store.close();
    }
  };
}
