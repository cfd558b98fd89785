import { FatalStorageError, isStorageError, ObjectNotFoundError, StorageError } from './errors.js';
import { InvalidKeyError } from './keys.js';

/** Where a failed S3 call was aimed; used to write messages a user can act on. */
export interface S3ErrorScope {
  readonly storeUri: string;
  readonly endpoint: string;
  readonly bucket: string;
  readonly operation: string;
  readonly key?: string;
  /** Removed from any message that would otherwise echo it. */
  readonly secret?: string;
}

const CREDENTIAL_ERRORS = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'InvalidClientTokenId',
]);
const ACCESS_ERRORS = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/** The socket-level code (ECONNREFUSED, ...) of an error, its cause, or an AggregateError's members. */
export function networkCode(error: unknown, depth = 0): string | undefined {
  const e = shape(error);
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (e.name === 'TimeoutError') return 'ETIMEDOUT';
  if (depth > 3) return undefined;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = networkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return e.cause === undefined ? undefined : networkCode(e.cause, depth + 1);
}

/** Turns an SDK or socket error into a StorageError (retryable) or FatalStorageError (final). */
export function mapS3Error(error: unknown, scope: S3ErrorScope): Error {
  if (isStorageError(error) || error instanceof InvalidKeyError) return error;
  const e = shape(error);
  if (e.name === 'AbortError') return error as Error;
  const name = typeof e.name === 'string' ? e.name : typeof e.Code === 'string' ? e.Code : 'Error';
  const status = e.$metadata?.httpStatusCode;
  const where = `${scope.storeUri} (endpoint ${scope.endpoint})`;
  const what = scope.key === undefined ? scope.operation : `${scope.operation} '${scope.key}'`;
  const detail = scrub(typeof e.message === 'string' ? e.message : String(error), scope.secret);
  const init = {
    storeUri: scope.storeUri,
    cause: error,
    ...(scope.key === undefined ? {} : { key: scope.key }),
  };

  if (name === 'NoSuchBucket' || (name === 'NotFound' && scope.key === undefined)) {
    return new FatalStorageError(
      `bucket '${scope.bucket}' does not exist at ${scope.endpoint}: create it or fix the store URI ${scope.storeUri}`,
      { ...init, code: 'NoSuchBucket' },
    );
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new FatalStorageError(
      `invalid S3 credentials for ${where} (${name}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY`,
      { ...init, code: 'InvalidCredentials' },
    );
  }
  if (ACCESS_ERRORS.has(name) || status === 403) {
    return new FatalStorageError(
      `access denied: ${what} on ${where} (${name}): check the credentials ` +
        '(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and the bucket policy',
      { ...init, code: 'AccessDenied' },
    );
  }
  if ((name === 'NoSuchKey' || name === 'NotFound' || status === 404) && scope.key !== undefined) {
    return new ObjectNotFoundError(scope.storeUri, scope.key, error);
  }
  const network = networkCode(error);
  if (network) {
    return new StorageError(
      `S3 endpoint unreachable: ${scope.endpoint} (${network}) during ${what} on ${scope.storeUri}; ` +
        'check the endpoint setting (AWS_ENDPOINT_URL_S3) and that the server is running',
      { ...init, code: 'EndpointUnreachable' },
    );
  }
  return new StorageError(`S3 ${what} failed on ${where}: ${name}: ${detail}`, { ...init, code: 'Unknown' });
}

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('***') : text;
}
