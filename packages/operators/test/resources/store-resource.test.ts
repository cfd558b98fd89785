import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { lakeResource, storeResource } from '../../src/resources/store-resource.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { S3Store } from '../../src/storage/s3-store.js';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from '../storage/s3-server.js';
import { resourceContext } from './resource-context.js';

describe('lakeResource / storeResource', function () {
  this.timeout(30_000);
  let dir: string;
  let s3: TestS3Server;
  before(async () => {
    s3 = await startS3Server();
  });
  after(() => s3.close());
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'streampro-store-resource-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('opens the lake STREAMPRO_LAKE names, as a local folder', async () => {
    const lake = lakeResource();
    const root = path.join(dir, 'lake');
    const store = await lake.open(resourceContext({ STREAMPRO_LAKE: root }).ctx);
    try {
      expect(store).to.be.instanceOf(LocalStore);
      await store.putBytes('a/b.txt', 'hello');
      expect(fs.readFileSync(path.join(root, 'a', 'b.txt'), 'utf8')).to.equal('hello');
    } finally {
      await lake.close?.(store);
    }
  });

  it('falls back to <STREAMPRO_HOME>/lake', async () => {
    const lake = lakeResource();
    const store = await lake.open(resourceContext({ STREAMPRO_HOME: dir }).ctx);
    await lake.close?.(store);
    expect(store.uri).to.equal(`file://${path.join(dir, 'lake')}`);
  });

  it('opens an S3 lake from the try environment (endpoint and credentials), and closes it', async () => {
    const bucket = await s3.createBucket();
    const lake = lakeResource();
    const env = {
      STREAMPRO_LAKE: `s3://${bucket}/lake`,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    };
    const store = await lake.open(resourceContext(env).ctx);
    expect(store).to.be.instanceOf(S3Store);
    await store.putBytes('x.txt', 'over http');
    expect((await store.getBytes('x.txt')).toString()).to.equal('over http');
    expect(s3.events).to.include(`ObjectCreated:Put lake/x.txt`);
    await lake.close?.(store);
  });

  it('passes a bad URI’s error through, for the try to fail with', async () => {
    const store = storeResource({ uri: (env) => env.TARGET ?? '' });
    let error: unknown;
    try {
      await store.open(resourceContext({ TARGET: 'ftp://host/lake' }).ctx);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(TypeError);
    expect((error as Error).message).to.equal(
      "unsupported store URI scheme 'ftp://' in 'ftp://host/lake'; use s3://, file:// or a path",
    );
  });
});
