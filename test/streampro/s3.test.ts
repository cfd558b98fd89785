import fs from 'node:fs';
import path from 'node:path';
import { S3Store } from '@streampro/operators';
import { expect } from 'chai';
// The operators' own s3rver harness: one way to run a real S3 server in tests, not two.
import {
  S3RVER_CREDENTIALS,
  startS3Server,
  type TestS3Server,
} from '../../packages/operators/test/storage/s3-server.js';
import { DATE, filesUnder, PipelineSandbox } from './support/sandbox.js';

const REPORT = `analytics/report_date=${DATE}/report.json`;

describe('streampro e2e: the lake on S3 (s3rver)', function () {
  this.timeout(90_000);
  let server: TestS3Server;
  let bucket: string;
  let s3: PipelineSandbox;
  let local: PipelineSandbox;

  beforeEach(async () => {
    server = await startS3Server();
    bucket = await server.createBucket();
    s3 = new PipelineSandbox();
    local = new PipelineSandbox();
  });
  afterEach(async () => {
    s3.cleanup();
    local.cleanup();
    await server.close();
  });

  it('runs the whole pipeline against the bucket and writes the same report as a local-lake run', async () => {
    const s3Env = {
      STREAMPRO_LAKE: `s3://${bucket}/lake/`,
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    };
    // Both runs at once: they share nothing but the committed data folder.
    const [onS3, onDisk] = await Promise.all([
      s3.dag(['run', 'streampro', '--date', DATE], s3Env),
      local.dag(['run', 'streampro', '--date', DATE]),
    ]);
    expect(onS3.code, onS3.stderr).to.equal(0);
    expect(onDisk.code, onDisk.stderr).to.equal(0);
    expect(onS3.stdout).to.match(/^Q3 .*: iOS 2\.0\.1 /m);
    expect(fs.existsSync(s3.lake), 'nothing written to the local lake of the S3 run').to.equal(false);

    const store = await S3Store.open(server.storeOptions(bucket, 'lake'));
    try {
      const keys = (await store.list('')).map((o) => o.key).sort();
      const localKeys = filesUnder(local.lake)
        .map((f) => path.relative(local.lake, f).split(path.sep).join('/'))
        .filter((k) => !k.startsWith('.'))
        .sort();
      expect(keys, 'same lake layout').to.deep.equal(localKeys);
      const fromS3: unknown = JSON.parse((await store.getBytes(REPORT)).toString('utf8'));
      const fromDisk: unknown = JSON.parse(fs.readFileSync(local.lakePath(REPORT), 'utf8'));
      expect(fromS3).to.deep.equal(fromDisk);
    } finally {
      await store.close();
    }
  });
});
