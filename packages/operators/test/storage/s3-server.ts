import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3StoreOptions } from '../../src/storage/s3-settings.js';

/** s3rver's built-in account; it checks the access key id but not SigV4 signatures. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A real S3 HTTP server on 127.0.0.1 with a throwaway data folder. */
export interface TestS3Server {
  readonly endpoint: string;
  /** Options for S3Store.open against this server (bucket still to be chosen). */
  storeOptions(bucket: string, prefix?: string): S3StoreOptions;
  /** `eventName key` of every object write so far, e.g. `ObjectCreated:Post a/b` for a multipart upload. */
  readonly events: readonly string[];
  /** Creates a bucket with a unique name and returns the name. */
  createBucket(): Promise<string>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'streampro-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const events: string[] = [];
  server.on('event', (event) => {
    for (const record of event.Records) events.push(`${record.eventName} ${record.s3.object.key}`);
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const admin = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    events,
    storeOptions: (bucket, prefix = '') => ({
      bucket,
      prefix,
      endpoint,
      region: 'us-east-1',
      credentials: S3RVER_CREDENTIALS,
      maxAttempts: 2,
      // Tests must not pick up a developer's AWS_* settings.
      env: {},
    }),
    async createBucket() {
      const bucket = `test-${randomUUID().slice(0, 8)}`;
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    async close() {
      admin.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
