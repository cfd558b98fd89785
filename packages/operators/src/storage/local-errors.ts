import { describeOsError, isPermanentOsError, type OsErrorFields } from '@streampro/engine';
import { FatalStorageError, type StorageErrorCode } from './errors.js';

/** Where a failed local filesystem call was aimed. */
export interface LocalErrorScope {
  readonly storeUri: string;
  /** What the store was doing: `write`, `read`, `list`, `delete`, `open`, ... */
  readonly operation: string;
  readonly key?: string;
  /** The local file or folder the operation is about. */
  readonly path: string;
}

/**
 * A FatalStorageError for an OS error that no retry fixes (full disk or quota, read-only filesystem, missing
 * permission), naming the operation, key, file, OS code and message; undefined for any other error, which the
 * caller maps or rethrows as before (a missing file, for instance, is retryable: it may still be written).
 */
export function fatalLocalError(error: unknown, scope: LocalErrorScope): FatalStorageError | undefined {
  if (!isPermanentOsError(error)) return undefined;
  const what = scope.key === undefined ? scope.operation : `${scope.operation} '${scope.key}'`;
  return new FatalStorageError(`cannot ${what} at ${scope.path}: ${describeOsError(error)}`, {
    code: codeOf(error),
    storeUri: scope.storeUri,
    ...(scope.key === undefined ? {} : { key: scope.key }),
    cause: error,
  });
}

function codeOf(error: OsErrorFields): StorageErrorCode {
  switch (error.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'NoSpace';
    case 'EROFS':
      return 'ReadOnly';
    default:
      return 'AccessDenied';
  }
}
