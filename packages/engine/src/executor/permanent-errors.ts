import { NonRetryableError } from '../model/errors.js';
import type { TryOutcome } from './executor.js';

/**
 * OS error codes that a retry a few seconds later cannot fix: the disk or quota is full, the filesystem is
 * mounted read-only, or the process lacks the permission. Retrying them only delays the failure (three
 * retries of a full disk each wait, then fail the same way) and hides the cause behind "failed after 4 tries".
 */
const PERMANENT_OS_CODES: ReadonlySet<string> = new Set([
  /** No space left on device. */
  'ENOSPC',
  /** Disk quota exceeded. */
  'EDQUOT',
  /** Read-only file system. */
  'EROFS',
  /** Permission denied (file mode, ACL). */
  'EACCES',
  /** Operation not permitted (ownership, immutable file, a kernel interface). */
  'EPERM',
]);

/** The fields Node sets on a failed system call (`NodeJS.ErrnoException`). */
export interface OsErrorFields {
  readonly code: string;
  readonly message: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly dest?: string;
}

/**
 * True when `error` is a system-call error of a permanent kind. Judged by shape (a string `code` and
 * `message`), not `instanceof`, so errors from another realm or module copy are recognised too.
 */
export function isPermanentOsError(error: unknown): error is OsErrorFields {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && typeof message === 'string' && PERMANENT_OS_CODES.has(code);
}

/**
 * The permanent OS error in `error` or its causes (a wrapper such as a storage error keeps the OS error as
 * `cause`), nearest first; undefined when there is none.
 */
export function permanentOsErrorIn(error: unknown): OsErrorFields | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (isPermanentOsError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The outcome of a try whose error is (or was caused by) a permanent OS error: failed at once, not retried,
 * with the code, OS message and path in the message and the original error as `cause`. Undefined otherwise.
 */
export function permanentOsFailure(error: Error): TryOutcome | undefined {
  const os = permanentOsErrorIn(error);
  if (!os) return undefined;
  const detail = Object.is(os, error)
    ? describeOsError(os)
    : error.message.includes(os.message)
      ? describeOsError({ ...os, message: error.message })
      : `${error.message}: ${describeOsError(os)}`;
  return {
    kind: 'failed',
    error: new NonRetryableError(`${detail} (a permanent OS error: not retried)`, { cause: error }),
    retryable: false,
  };
}

/**
 * One line naming the code, the OS message and the path(s): `ENOSPC: no space left on device, write
 * (path '/data/x.parquet')`. Node's own message usually holds the code and the path already; whatever it
 * lacks is added.
 */
export function describeOsError(error: OsErrorFields): string {
  let text = error.message.includes(error.code) ? error.message : `${error.code}: ${error.message}`;
  for (const [label, value] of [
    ['path', error.path],
    ['destination', error.dest],
  ] as const) {
    if (typeof value === 'string' && value !== '' && !text.includes(value)) text += ` (${label} '${value}')`;
  }
  return text;
}
