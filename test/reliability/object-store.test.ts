import net from 'node:net';
import {
  FatalStorageError,
  type ObjectStore,
  S3Store,
  type S3StoreOptions,
  StorageError,
} from '@streampro/operators';
import { expect } from 'chai';
import { collect, taskStates, waitForStderr } from '../cli/helpers.js';
import { keys, LINES, lakeflow } from './fixtures/dags/lakeflow.js';
import { assertComplete, FaultSandbox } from './support/harness.js';
import { FaultProxy, RestartableS3, S3RVER_KEY } from './support/s3.js';

const DATE = '2025-01-10';

function storeOptions(endpoint: string, bucket: string, extra: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    bucket,
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
    // Never pick up a developer's AWS_* settings.
    env: {},
    ...extra,
  };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Every object of the run is present and complete when read back from S3. */
async function expectLakeComplete(store: ObjectStore): Promise<void> {
  const listed = (await store.list('')).map((o) => o.key);
  const k = keys(DATE);
  expect(listed).to.include.members([k.landing, k.raw, k.trusted, k.report]);
  for (const key of listed) assertComplete(key, await store.getBytes(key));
  const landing = (await store.getBytes(k.landing)).toString('utf8');
  expect(landing.split('\n').filter(Boolean)).to.have.length(LINES);
}

describe('reliability: object store faults (s3rver on 127.0.0.1)', function () {
  this.timeout(90_000);
  let s3: RestartableS3;
  let bucket: string;
  const proxies: FaultProxy[] = [];
  const stores: ObjectStore[] = [];

  beforeEach(async () => {
    s3 = await RestartableS3.start();
    bucket = await s3.createBucket();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const proxy of proxies.splice(0)) await proxy.close();
    await s3.close();
  });

  async function proxy(plan: Parameters<typeof FaultProxy.start>[1]): Promise<FaultProxy> {
    const p = await FaultProxy.start(() => s3.port, plan);
    proxies.push(p);
    return p;
  }

  async function open(options: S3StoreOptions): Promise<S3Store> {
    const store = await S3Store.open(options);
    stores.push(store);
    return store;
  }

  describe('S3Store', () => {
    it('endpoint down at start: a clear, retryable error naming the endpoint, in seconds', async () => {
      const endpoint = `http://127.0.0.1:${await deadPort()}`;
      const started = Date.now();
      const error = await rejection(S3Store.open(storeOptions(endpoint, bucket)));
      expect(Date.now() - started).to.be.below(15_000);
      expect(error).to.be.instanceOf(StorageError);
      expect((error as StorageError).code).to.equal('EndpointUnreachable');
      expect(error.message).to.contain(`S3 endpoint unreachable: ${endpoint}`);
    });

    it('wrong credentials fail fast: one request, final error naming the endpoint', async () => {
      const counter = await proxy(() => ({ kind: 'forward' }));
      const error = await rejection(
        S3Store.open(
          storeOptions(counter.endpoint, bucket, {
            credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'whatever' },
          }),
        ),
      );
      expect(error).to.be.instanceOf(FatalStorageError);
      // HeadBucket answers a bad key with a bare 403 (a HEAD has no error body), hence AccessDenied.
      expect((error as FatalStorageError).code).to.equal('AccessDenied');
      expect(error.message).to.match(
        new RegExp(
          `^access denied: check bucket on s3://${bucket} \\(endpoint ${counter.endpoint}\\) \\(\\w+\\): check the credentials \\(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY\\)`,
        ),
      );
      expect(counter.seen).to.have.length(1);
    });

    it('a missing bucket fails fast: one request, final error naming bucket and endpoint', async () => {
      const counter = await proxy(() => ({ kind: 'forward' }));
      const error = await rejection(S3Store.open(storeOptions(counter.endpoint, 'no-such-bucket')));
      expect(error).to.be.instanceOf(FatalStorageError);
      expect(error.message).to.equal(
        `bucket 'no-such-bucket' does not exist at ${counter.endpoint}: create it or fix the store URI s3://no-such-bucket`,
      );
      expect(counter.seen).to.have.length(1);
    });

    it('503 answers for a while: retried with backoff, then the write and read succeed', async () => {
      const flaky = await proxy((n) => (n < 3 ? { kind: 'status', status: 503 } : { kind: 'forward' }));
      const store = await open(storeOptions(flaky.endpoint, bucket, { maxAttempts: 5 }));
      await store.putBytes('a/b.json', '{"ok":true}\n');
      expect((await store.getBytes('a/b.json')).toString()).to.equal('{"ok":true}\n');
      expect(flaky.count('status')).to.equal(3);
    });

    it('a server that stops answering: the idle request times out and the retry succeeds', async function () {
      // Without an enforced timeout the put would wait for the hung answers far longer than this.
      this.timeout(15_000);
      const hung = await proxy((n) => (n < 2 ? { kind: 'hang' } : { kind: 'forward' }));
      const store = await open(
        storeOptions(hung.endpoint, bucket, { maxAttempts: 4, requestTimeoutMs: 300 }),
      );
      await store.putBytes('slow.json', '{"slow":true}\n');
      expect((await store.getBytes('slow.json')).toString()).to.equal('{"slow":true}\n');
      expect(hung.count('hang')).to.equal(2);
    });

    it('an upload cut in the middle fails the put (never a whole object); the retry stores the whole object', async () => {
      const body = `${'x'.repeat(200_000)}\n`;
      const cutting = await proxy((_n, req) =>
        req.method === 'PUT' && cutting.count('cut') === 0 ? { kind: 'cut' } : { kind: 'forward' },
      );
      const direct = await open(storeOptions(s3.endpoint, bucket));
      const once = await open(storeOptions(cutting.endpoint, bucket, { maxAttempts: 1 }));
      const error = await rejection(once.putBytes('torn.txt', body));
      expect(error).to.be.instanceOf(StorageError);
      expect(cutting.count('cut')).to.equal(1);
      // S3 commits an object only once its whole body arrived. s3rver writes the file in place while the body
      // streams in, so a cut PUT may leave a partial (even empty) object behind for a moment or for good:
      // what holds on both is that no object of the full size exists before the retry.
      const torn = await direct.head('torn.txt');
      expect(torn === undefined || torn.size < body.length, `torn object of ${torn?.size} bytes`).to.equal(
        true,
      );
      await once.putBytes('torn.txt', body);
      expect((await direct.getBytes('torn.txt')).toString()).to.equal(body);
    });
  });

  describe('a DAG writing to an S3 lake', () => {
    let sb: FaultSandbox;
    beforeEach(() => {
      sb = new FaultSandbox();
    });
    afterEach(() => sb.cleanup());

    function useS3(endpoint: string, lakeBucket = bucket, accessKey = S3RVER_KEY): void {
      sb.extraEnv = {
        STREAMPRO_LAKE: `s3://${lakeBucket}/lake/`,
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_ACCESS_KEY_ID: accessKey,
        AWS_SECRET_ACCESS_KEY: 'reliability-secret',
        AWS_REGION: 'us-east-1',
      };
    }

    it('the server goes down mid-run and comes back on the same port: tasks retry and the run completes', async () => {
      useS3(s3.endpoint);
      sb.hold('raw-start');
      const child = sb.start('run', 'lakeflow', '--date', DATE);
      const exited = collect(child);
      await sb.reached('raw-start');
      await s3.down();
      sb.open('raw-start');
      await waitForStderr(child, ' raw up_for_retry', 30_000);
      await s3.up();
      const r = await exited;
      expect(r.code, r.stderr).to.equal(0);
      const states = await taskStates(sb.home, lakeflow, DATE);
      expect(states.land).to.deep.equal(['success', 1]);
      expect(states.raw?.[0]).to.equal('success');
      expect(states.raw?.[1]).to.be.at.least(2);
      expect(r.stderr).to.contain(`S3 endpoint unreachable: ${s3.endpoint}`);
      await expectLakeComplete(await open(storeOptions(s3.endpoint, bucket, { prefix: 'lake' })));
    });

    it('503s and slow answers for a while: the run completes, every object whole', async () => {
      const faulty = await proxy((n) =>
        n < 8 ? { kind: 'status', status: 503 } : n < 14 ? { kind: 'delay', ms: 200 } : { kind: 'forward' },
      );
      useS3(faulty.endpoint);
      const r = await sb.dag('run', 'lakeflow', '--date', DATE);
      expect(r.code, r.stderr).to.equal(0);
      expect(faulty.count('status')).to.equal(8);
      expect((await taskStates(sb.home, lakeflow, DATE)).land?.[1]).to.be.at.least(2);
      await expectLakeComplete(await open(storeOptions(s3.endpoint, bucket, { prefix: 'lake' })));
      // Rerunning a finished run is a no-op that still exits 0.
      expect((await sb.dag('run', 'lakeflow', '--date', DATE)).code).to.equal(0);
    });

    for (const fault of ['wrong credentials', 'a missing bucket'] as const) {
      it(`${fault}: the task fails on its first try, in seconds, with a message naming the endpoint`, async () => {
        if (fault === 'wrong credentials') useS3(s3.endpoint, bucket, 'NOT-A-KEY');
        else useS3(s3.endpoint, 'no-such-bucket');
        const started = Date.now();
        const r = await sb.dag('run', 'lakeflow', '--date', DATE);
        expect(Date.now() - started).to.be.below(20_000);
        expect(r.code, r.stderr).to.equal(1);
        expect((await taskStates(sb.home, lakeflow, DATE)).land).to.deep.equal(['failed', 1]);
        expect(r.stderr).to.match(
          fault === 'wrong credentials'
            ? new RegExp(
                `access denied: check bucket on s3://${bucket}/lake \\(endpoint ${s3.endpoint}\\).*check the credentials`,
              )
            : new RegExp(`bucket 'no-such-bucket' does not exist at ${s3.endpoint}`),
        );
      });
    }
  });
});
