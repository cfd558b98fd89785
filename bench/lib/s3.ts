import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's built-in account (a fixed local test key pair, not a credential of any real service). */
const ACCOUNT = 'S3RVER';

export interface LocalS3 {
  /** Environment that points the StreamPro lake at a fresh bucket of this server. */
  lakeEnv(bucket: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** An S3 HTTP server on 127.0.0.1 (port 0) in this process, with a throwaway data folder. */
export async function startLocalS3(): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'streampro-bench-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const admin = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCOUNT, secretAccessKey: ACCOUNT },
  });
  return {
    async lakeEnv(bucket) {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      return {
        STREAMPRO_LAKE: `s3://${bucket}/lake`,
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: ACCOUNT,
        AWS_SECRET_ACCESS_KEY: ACCOUNT,
      };
    },
    async close() {
      admin.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
