import { NonRetryableError } from '@streampro/engine';

/** What went wrong, independent of the backend. */
export type StorageErrorCode =
  /** The bucket does not exist. Final. */
  | 'NoSuchBucket'
  /** The credentials (or, for a local store, the file permissions: EACCES, EPERM) do not allow this. Final. */
  | 'AccessDenied'
  /** The access key is unknown or the signature is wrong. Final. */
  | 'InvalidCredentials'
  /** The local disk or quota is full (ENOSPC, EDQUOT). Final. */
  | 'NoSpace'
  /** The local filesystem is mounted read-only (EROFS). Final. */
  | 'ReadOnly'
  /** No connection to the endpoint (refused, unknown host, timeout). Retryable. */
  | 'EndpointUnreachable'
  /** The object does not exist (yet). Retryable: it may appear later. */
  | 'NotFound'
  /** A local key resolves, through a symbolic link, to a file outside the store's folder. Final. */
  | 'OutsideStore'
  /** Anything else the backend reported. Retryable. */
  | 'Unknown';

/** Fields shared by both storage error classes. */
export interface StorageFailure {
  readonly code: StorageErrorCode;
  /** URI of the store (never contains credentials). */
  readonly storeUri: string;
  readonly key?: string;
}

interface StorageErrorInit {
  readonly code: StorageErrorCode;
  readonly storeUri: string;
  readonly key?: string;
  readonly cause?: unknown;
}

/** A storage failure that may succeed when tried again (network, missing object, server error). */
export class StorageError extends Error implements StorageFailure {
  override readonly name: string = 'StorageError';
  readonly code: StorageErrorCode;
  readonly storeUri: string;
  readonly key?: string;
  constructor(message: string, init: StorageErrorInit) {
    super(message, { cause: init.cause });
    this.code = init.code;
    this.storeUri = init.storeUri;
    if (init.key !== undefined) this.key = init.key;
  }
}

/**
 * A storage failure that trying again cannot fix (missing bucket, bad credentials, a full or read-only
 * local disk). It extends the engine's NonRetryableError so the scheduler fails the task at once instead
 * of spending its retries.
 */
export class FatalStorageError extends NonRetryableError implements StorageFailure {
  override readonly name: string = 'FatalStorageError';
  readonly code: StorageErrorCode;
  readonly storeUri: string;
  readonly key?: string;
  constructor(message: string, init: StorageErrorInit) {
    super(message, { cause: init.cause });
    this.code = init.code;
    this.storeUri = init.storeUri;
    if (init.key !== undefined) this.key = init.key;
  }
}

/** Objects that were expected are missing. Retryable, since they may still be written. */
export class ObjectNotFoundError extends StorageError {
  override readonly name: string = 'ObjectNotFoundError';
  /** Every missing key; `key` is the first of them. */
  readonly keys: readonly string[];
  constructor(storeUri: string, keys: string | readonly string[], cause?: unknown) {
    const all = typeof keys === 'string' ? [keys] : [...keys];
    const message =
      all.length === 1
        ? `object '${all[0]}' not found in ${storeUri}`
        : `${all.length} objects not found in ${storeUri}: ${all.join(', ')}`;
    super(message, { code: 'NotFound', storeUri, key: all[0] ?? '', cause });
    this.keys = all;
  }
}

/** True for either storage error class. */
export function isStorageError(error: unknown): error is StorageError | FatalStorageError {
  return error instanceof StorageError || error instanceof FatalStorageError;
}
