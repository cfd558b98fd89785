import { pipeline } from 'node:stream';
import { FatalStorageError, ObjectNotFoundError } from '../storage/errors.js';
import { HashingStream, hashStream } from '../storage/hashing.js';
import { joinKey } from '../storage/keys.js';
import { mapLimit } from '../storage/map-limit.js';
import type { ObjectInfo, ObjectStore } from '../storage/object-store.js';
import { type OpenStoreOptions, openStore } from '../storage/open-store.js';
import { type OperatorContext, type OperatorRun, type Resolvable, resolve } from './operator.js';

/** One object to copy; keys are relative to the source and destination prefixes. */
export interface ObjectMapping {
  readonly from: string;
  readonly to: string;
}

export interface CopyObjectsOptions {
  /** An open store (the caller closes it) or a URI (opened and closed by the task). */
  readonly source: Resolvable<ObjectStore | string>;
  readonly destination: Resolvable<ObjectStore | string>;
  /** @default '' */
  readonly sourcePrefix?: Resolvable<string>;
  /** @default '' */
  readonly destinationPrefix?: Resolvable<string>;
  /** Keys to copy under the same relative key. Give `keys` or `mappings`; with neither, everything under `sourcePrefix` is copied. */
  readonly keys?: Resolvable<readonly string[]>;
  /** Explicit from/to pairs, e.g. `{ from: 'users_2025-09-09.csv', to: 'landing/users/ingestion_date=2025-09-09/users_2025-09-09.csv' }`. */
  readonly mappings?: Resolvable<readonly ObjectMapping[]>;
  /**
   * A missing source object normally fails the try with a retryable ObjectNotFoundError, since a file
   * that is late may still arrive. Set this to fail at once (FatalStorageError, not retried).
   * @default false
   */
  readonly missingIsFatal?: boolean;
  /** Objects copied in parallel. @default 4 */
  readonly concurrency?: number;
  /** S3 settings used when `source` or `destination` is a URI. */
  readonly storeOptions?: OpenStoreOptions;
}

export interface CopiedObject {
  /** Key in the source store (prefix included). */
  readonly from: string;
  /** Key in the destination store (prefix included). */
  readonly to: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes. */
  readonly sha256: string;
  /** `skipped` when the destination already held the same bytes. */
  readonly status: 'copied' | 'skipped';
}

export interface CopyObjectsOutput {
  readonly source: string;
  readonly destination: string;
  readonly copied: number;
  readonly skipped: number;
  /** Bytes written to the destination (skipped objects not included). */
  readonly bytesCopied: number;
  readonly objects: readonly CopiedObject[];
}

/**
 * A task that copies objects byte for byte between two stores (local folder or S3, either way),
 * hashing while it streams. Idempotent: an object whose destination already has the same SHA-256
 * is skipped, so a retried or re-run task does not write again.
 */
export function copyObjects(options: CopyObjectsOptions): OperatorRun<CopyObjectsOutput> {
  if (options.keys !== undefined && options.mappings !== undefined) {
    throw new TypeError('copyObjects: give either keys or mappings, not both');
  }
  return async (ctx) => {
    const opened: ObjectStore[] = [];
    const open = async (value: Resolvable<ObjectStore | string>): Promise<ObjectStore> => {
      const store = await resolve(value, ctx);
      if (typeof store !== 'string') return store;
      const created = await openStore(store, options.storeOptions);
      opened.push(created);
      return created;
    };
    try {
      const source = await open(options.source);
      const destination = await open(options.destination);
      const pairs = await planPairs(options, source, ctx);
      await checkSourcesExist(source, pairs, options, ctx);
      ctx.log.info('copying objects', {
        source: source.uri,
        destination: destination.uri,
        count: pairs.length,
      });
      const objects = await mapLimit(pairs, options.concurrency ?? 4, (pair) =>
        copyOne(source, destination, pair, ctx),
      );
      const copied = objects.filter((o) => o.status === 'copied');
      const output: CopyObjectsOutput = {
        source: source.uri,
        destination: destination.uri,
        copied: copied.length,
        skipped: objects.length - copied.length,
        bytesCopied: copied.reduce((sum, o) => sum + o.size, 0),
        objects,
      };
      ctx.log.info('copied objects', {
        copied: output.copied,
        skipped: output.skipped,
        bytes: output.bytesCopied,
      });
      return output;
    } finally {
      await Promise.allSettled(opened.map((store) => store.close()));
    }
  };
}

/** Full from/to keys (prefixes applied), validated before anything is written. */
async function planPairs(
  options: CopyObjectsOptions,
  source: ObjectStore,
  ctx: OperatorContext,
): Promise<ObjectMapping[]> {
  const fromPrefix = await resolve(options.sourcePrefix ?? '', ctx);
  const toPrefix = await resolve(options.destinationPrefix ?? '', ctx);
  let relative: readonly ObjectMapping[];
  if (options.mappings !== undefined) {
    relative = await resolve(options.mappings, ctx);
  } else if (options.keys !== undefined) {
    relative = (await resolve(options.keys, ctx)).map((key) => ({ from: key, to: key }));
  } else {
    // List under the prefix as a folder, so prefix 'a' does not also take 'ab/...'.
    const listPrefix = fromPrefix === '' ? '' : `${fromPrefix.replace(/\/+$/, '')}/`;
    const listed = await source.list(listPrefix, { signal: ctx.signal });
    relative = listed.map((info) => {
      const key = info.key.slice(listPrefix.length);
      return { from: key, to: key };
    });
  }
  return relative.map((pair) => ({ from: joinKey(fromPrefix, pair.from), to: joinKey(toPrefix, pair.to) }));
}

/** Fails with every missing key named, rather than one at a time across retries. */
async function checkSourcesExist(
  source: ObjectStore,
  pairs: readonly ObjectMapping[],
  options: CopyObjectsOptions,
  ctx: OperatorContext,
): Promise<void> {
  const present = await mapLimit(pairs, 16, (pair) => source.exists(pair.from));
  const missing = pairs.filter((_, index) => !present[index]).map((pair) => pair.from);
  if (missing.length === 0) return;
  ctx.log.warn('source objects missing', { source: source.uri, missing });
  if (options.missingIsFatal) {
    throw new FatalStorageError(
      `${missing.length} source object(s) missing from ${source.uri}: ${missing.join(', ')}`,
      { code: 'NotFound', storeUri: source.uri, key: missing[0] as string },
    );
  }
  throw new ObjectNotFoundError(source.uri, missing);
}

async function copyOne(
  source: ObjectStore,
  destination: ObjectStore,
  pair: ObjectMapping,
  ctx: OperatorContext,
): Promise<CopiedObject> {
  const signal = ctx.signal;
  signal.throwIfAborted();
  const existing = await destination.head(pair.to);
  if (existing !== undefined) {
    const same = await sameContent(source, destination, pair, existing, signal);
    if (same !== undefined) {
      ctx.log.debug('object unchanged, skipped', { from: pair.from, to: pair.to });
      return { ...pair, ...same, status: 'skipped' };
    }
  }
  const hashing = new HashingStream();
  const body = await source.getStream(pair.from, { signal });
  // pipeline (callback form) forwards a source error to the hashing stream, failing the upload.
  const info = await destination.putStream(
    pair.to,
    pipeline(body, hashing, () => {}),
    { signal },
  );
  const { sha256, size } = hashing.result();
  if (info.size !== size) {
    throw new Error(
      `copy of '${pair.from}' to ${destination.uri}/${pair.to} wrote ${info.size} of ${size} bytes`,
    );
  }
  ctx.log.debug('object copied', { from: pair.from, to: pair.to, size, sha256 });
  return { ...pair, size, sha256, status: 'copied' };
}

/** SHA-256 and size when both sides hold the same bytes; undefined when they differ. */
async function sameContent(
  source: ObjectStore,
  destination: ObjectStore,
  pair: ObjectMapping,
  existing: ObjectInfo,
  signal: AbortSignal,
): Promise<{ sha256: string; size: number } | undefined> {
  const sourceInfo = await source.head(pair.from);
  if (sourceInfo === undefined || sourceInfo.size !== existing.size) return undefined;
  const [fromHash, toHash] = await Promise.all([
    source.getStream(pair.from, { signal }).then(hashStream),
    destination.getStream(pair.to, { signal }).then(hashStream),
  ]);
  return fromHash.sha256 === toHash.sha256 ? fromHash : undefined;
}
