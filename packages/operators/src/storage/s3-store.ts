import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import { ObjectNotFoundError } from './errors.js';
import { validateKey, validatePrefix } from './keys.js';
import { publishAtomically, siblingTempPath } from './local-files.js';
import type { ObjectInfo, ObjectStore, TransferOptions } from './object-store.js';
import { mapS3Error } from './s3-errors.js';
import { resolveS3Settings, type S3Settings, type S3StoreOptions } from './s3-settings.js';

/** An object store on an S3 bucket (AWS, MinIO, s3rver), under an optional key prefix. */
export class S3Store implements ObjectStore {
  readonly uri: string;
  /** The endpoint URL used in messages (never contains credentials). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Key prefix inside the bucket, without leading or trailing `/`; '' for the bucket root. */
  readonly prefix: string;
  // A private field, so the secret never appears in JSON.stringify or util.inspect of the store.
  readonly #secret: string | undefined;

  private constructor(
    private readonly sdk: S3Sdk,
    private readonly client: S3Client,
    private readonly settings: S3Settings,
  ) {
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
    this.endpoint = settings.endpointLabel;
    this.uri = `s3://${settings.bucket}${settings.prefix ? `/${settings.prefix}` : ''}`;
    this.#secret = settings.credentials?.secretAccessKey;
  }

  /**
   * Creates the client and, unless `verifyBucket` is false, checks that the bucket is reachable,
   * so a missing bucket, bad credentials or a dead endpoint fail here with a clear message.
   */
  static async open(options: S3StoreOptions): Promise<S3Store> {
    const settings = resolveS3Settings(options);
    const sdk = await loadS3Sdk();
    const client = new sdk.S3Client({
      region: settings.region,
      ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
      forcePathStyle: settings.forcePathStyle,
      ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
      maxAttempts: settings.maxAttempts,
      retryMode: 'standard',
      // The default (WHEN_SUPPORTED) sends stream bodies aws-chunked with a CRC32 trailer, which
      // S3-compatible servers store as object data: objects silently corrupted.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: settings.connectionTimeoutMs,
        // The handler's `requestTimeout` only logs a warning (unless throwOnRequestTimeout); `socketTimeout`
        // aborts a request idle that long, so a hung server becomes a retryable error instead of a hang.
        socketTimeout: settings.requestTimeoutMs,
      },
    });
    const store = new S3Store(sdk, client, settings);
    if (options.verifyBucket ?? true) {
      try {
        await client.send(new sdk.HeadBucketCommand({ Bucket: settings.bucket }));
      } catch (error) {
        client.destroy();
        throw store.fail(error, 'check bucket');
      }
    }
    return store;
  }

  async putBytes(key: string, body: Uint8Array | string, options?: TransferOptions): Promise<ObjectInfo> {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const Key = this.fullKey(key);
    try {
      await this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: bytes,
          ContentLength: bytes.byteLength,
        }),
        { abortSignal: options?.signal },
      );
    } catch (error) {
      throw this.fail(error, 'put', key);
    }
    return this.headOrThrow(key);
  }

  async putFile(key: string, localPath: string, options?: TransferOptions): Promise<ObjectInfo> {
    return this.upload(key, createReadStream(localPath), options?.signal);
  }

  async putStream(key: string, body: Readable, options?: TransferOptions): Promise<ObjectInfo> {
    return this.upload(key, body, options?.signal);
  }

  async getBytes(key: string, options?: TransferOptions): Promise<Buffer> {
    const stream = await this.getStream(key, options);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch (error) {
      throw this.fail(error, 'get', key);
    }
    return Buffer.concat(chunks);
  }

  async getStream(key: string, options?: TransferOptions): Promise<Readable> {
    try {
      const out = await this.client.send(
        new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }),
        {
          abortSignal: options?.signal,
        },
      );
      if (!(out.Body instanceof Readable)) throw new Error('S3 GetObject returned no readable body');
      return options?.signal ? addAbortSignal(options.signal, out.Body) : out.Body;
    } catch (error) {
      throw this.fail(error, 'get', key);
    }
  }

  async getToFile(key: string, localPath: string, options?: TransferOptions): Promise<ObjectInfo> {
    const target = path.resolve(localPath);
    await mkdir(path.dirname(target), { recursive: true });
    await publishAtomically(siblingTempPath(target), target, async (temp) => {
      const body = await this.getStream(key, options);
      try {
        await pipeline(body, createWriteStream(temp, { flush: true }), { signal: options?.signal });
      } catch (error) {
        throw this.fail(error, 'download', key);
      }
    });
    return this.headOrThrow(key);
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(
        new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }),
      );
      return {
        key,
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        etag: out.ETag,
      };
    } catch (error) {
      const mapped = this.fail(error, 'head', key);
      if (mapped instanceof ObjectNotFoundError) return undefined;
      throw mapped;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async list(prefix: string, options?: TransferOptions): Promise<ObjectInfo[]> {
    validatePrefix(prefix);
    const root = this.prefix ? `${this.prefix}/` : '';
    const found: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: root + prefix,
            ContinuationToken: token,
          }),
          { abortSignal: options?.signal },
        );
      } catch (error) {
        throw this.fail(error, 'list');
      }
      for (const item of page.Contents ?? []) {
        // Skip "folder" markers (keys ending in /) that consoles create: they are not objects.
        if (item.Key === undefined || item.Key.endsWith('/') || !item.Key.startsWith(root)) continue;
        found.push({
          key: item.Key.slice(root.length),
          size: item.Size ?? 0,
          lastModified: item.LastModified ?? new Date(0),
          etag: item.ETag,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    // S3 sorts by UTF-8 bytes; re-sort by code units so both stores order keys the same way.
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Server-side copy (single request; objects up to 5 GiB). */
  async copy(fromKey: string, toKey: string, options?: TransferOptions): Promise<ObjectInfo> {
    const source = this.fullKey(fromKey);
    try {
      await this.client.send(
        new this.sdk.CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(toKey),
          CopySource: `${this.bucket}/${encodeURIComponent(source).replaceAll('%2F', '/')}`,
        }),
        { abortSignal: options?.signal },
      );
    } catch (error) {
      throw this.fail(error, 'copy', fromKey);
    }
    return this.headOrThrow(toKey);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(
        new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }),
      );
    } catch (error) {
      throw this.fail(error, 'delete', key);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private fullKey(key: string): string {
    validateKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  private async upload(key: string, body: Readable, signal?: AbortSignal): Promise<ObjectInfo> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      signal?.throwIfAborted();
      const upload = new this.sdk.Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: this.fullKey(key), Body: body },
        partSize: this.settings.partSizeBytes,
        queueSize: this.settings.queueSize,
        leavePartsOnError: false,
        abortController: controller,
      });
      await upload.done();
    } catch (error) {
      body.destroy();
      throw this.fail(error, 'upload', key);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return this.headOrThrow(key);
  }

  private async headOrThrow(key: string): Promise<ObjectInfo> {
    const info = await this.head(key);
    if (!info) throw new ObjectNotFoundError(this.uri, key);
    return info;
  }

  private fail(error: unknown, operation: string, key?: string): Error {
    return mapS3Error(error, {
      storeUri: this.uri,
      endpoint: this.endpoint,
      bucket: this.bucket,
      operation,
      ...(key === undefined ? {} : { key }),
      ...(this.#secret === undefined ? {} : { secret: this.#secret }),
    });
  }
}

/** The AWS SDK classes the store uses. */
type S3Sdk = typeof import('@aws-sdk/client-s3') & Pick<typeof import('@aws-sdk/lib-storage'), 'Upload'>;

/**
 * Loads the AWS SDK on first use: DAG files import this package, and commands that only list or inspect
 * DAGs should not pay its start-up cost.
 */
async function loadS3Sdk(): Promise<S3Sdk> {
  const [client, storage] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);
  return { ...client, Upload: storage.Upload };
}
