export {
  type DatasetInput,
  type PartitionList,
  type PartitionRange,
  type StagedDataset,
  type StageOptions,
  stageDatasets,
} from './duckdb/datasets.js';
export type { JsonRow, JsonValue } from './duckdb/json-rows.js';
export type {
  CheckResult,
  QualityCheck,
  QualityCheckKind,
} from './duckdb/quality-sql.js';
export {
  DuckDBSession,
  type DuckDBSessionOptions,
  type QueryRows,
  type SqlValues,
  withSession,
} from './duckdb/session.js';
export { defaultCacheDir, type WorkSessionOptions, withWorkSession } from './duckdb/work-session.js';
export { type DuckDBResourceOptions, duckdbResource } from './resources/duckdb-resource.js';
export { lakeResource, type StoreResourceOptions, storeResource } from './resources/store-resource.js';
export type { SourceFormat } from './schema/staging-sql.js';
export {
  type BooleanColumn,
  type ColumnSpec,
  type ColumnSpecs,
  type ColumnType,
  type DateColumn,
  type DerivedColumn,
  type DerivedColumns,
  type DoubleColumn,
  defineSchema,
  type InferRow,
  type IntegerColumn,
  type RowCheck,
  type StringColumn,
  type TableSchema,
  type TimestampColumn,
  type ValueOf,
} from './schema/types.js';
export { InvalidSchemaError, validateSchema } from './schema/validate-schema.js';
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
  DEFAULT_MAX_ROWS,
  type DuckDBQueryRowsOptions,
  type DuckDBQueryWriteOptions,
  duckdbQuery,
  type QueryOutputFormat,
  type QueryRowsOutput,
  type QueryWriteOutput,
} from './tasks/duckdb-query.js';
export {
  type OperatorContext,
  type OperatorRun,
  type Resolvable,
  type ResolveFn,
  resolve,
} from './tasks/operator.js';
export {
  formatResultsTable,
  QualityCheckFailedError,
  type QualityChecksOptions,
  type QualityChecksOutput,
  qualityChecks,
} from './tasks/quality-checks.js';
export {
  RejectRatioExceededError,
  type ToParquetOptions,
  type ToParquetOutput,
  toParquet,
} from './tasks/to-parquet.js';
export {
  type WaitForObjectsOptions,
  type WaitForObjectsOutput,
  WaitForObjectsTimeoutError,
  waitForObjects,
} from './tasks/wait-for-objects.js';
export { makeWorkFolder, sweepWorkFolders } from './work/work-folder.js';
