import type { Readable } from 'node:stream';

/** Metadata of a stored object. */
export interface ObjectInfo {
  /** Key relative to the store's root, with `/` separators and no leading slash. */
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
  /** Opaque version tag (S3 ETag, or size+mtime for a local folder). */
  readonly etag?: string;
}

/** Per-call options of the data-moving methods. */
export interface TransferOptions {
  /** Aborts the transfer; pass the task's `ctx.signal`. */
  readonly signal?: AbortSignal;
}

/**
 * A flat namespace of objects addressed by key, on a local folder or an S3 bucket prefix.
 * Writes are all-or-nothing: a reader never sees half an object. Reading a missing object throws
 * ObjectNotFoundError; implementations map backend failures to StorageError / FatalStorageError.
 */
export interface ObjectStore {
  /** URI of the store's root, e.g. `file:///data/lake` or `s3://bucket/prefix` (never contains credentials). */
  readonly uri: string;
  /** Keys are validated: relative, `/`-separated, no `.`/`..`/empty segments, no backslash or control characters. */
  putBytes(key: string, body: Uint8Array | string, options?: TransferOptions): Promise<ObjectInfo>;
  putFile(key: string, localPath: string, options?: TransferOptions): Promise<ObjectInfo>;
  putStream(key: string, body: Readable, options?: TransferOptions): Promise<ObjectInfo>;
  getBytes(key: string, options?: TransferOptions): Promise<Buffer>;
  getStream(key: string, options?: TransferOptions): Promise<Readable>;
  /** Downloads to a local file atomically (temp file + rename). */
  getToFile(key: string, localPath: string, options?: TransferOptions): Promise<ObjectInfo>;
  /** Metadata, or undefined when the object does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  exists(key: string): Promise<boolean>;
  /** Every object whose key starts with `prefix`, across all pages, sorted by key. */
  list(prefix: string, options?: TransferOptions): Promise<ObjectInfo[]>;
  copy(fromKey: string, toKey: string, options?: TransferOptions): Promise<ObjectInfo>;
  delete(key: string): Promise<void>;
  /** Releases clients and handles. */
  close(): Promise<void>;
}
