export {
  FatalStorageError,
  isStorageError,
  ObjectNotFoundError,
  StorageError,
  type StorageErrorCode,
  type StorageFailure,
} from './storage/errors.js';
export { InvalidKeyError, joinKey, validateKey, validatePrefix } from './storage/keys.js';
export { LocalStore } from './storage/local-store.js';
export type { ObjectInfo, ObjectStore, TransferOptions } from './storage/object-store.js';
export { lakeUri, type OpenStoreOptions, openStore } from './storage/open-store.js';
export { MIN_PART_SIZE_BYTES, type S3Credentials, type S3StoreOptions } from './storage/s3-settings.js';
export { S3Store } from './storage/s3-store.js';
export {
  type CopiedObject,
  type CopyObjectsOptions,
  type CopyObjectsOutput,
  copyObjects,
  type ObjectMapping,
} from './tasks/copy-objects.js';
export {
  type OperatorContext,
  type OperatorRun,
  type Resolvable,
  type ResolveFn,
  resolve,
} from './tasks/operator.js';
export {
  type WaitForObjectsOptions,
  type WaitForObjectsOutput,
  WaitForObjectsTimeoutError,
  waitForObjects,
} from './tasks/wait-for-objects.js';
