import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NonRetryableError } from '@streampro/engine';
import { expect } from 'chai';
import { FatalStorageError, ObjectNotFoundError } from '../../src/storage/errors.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { S3Store } from '../../src/storage/s3-store.js';
import { copyObjects } from '../../src/tasks/copy-objects.js';
import { fakeContext } from '../storage/fake-context.js';
import { rejection } from '../storage/rejection.js';
import { startS3Server, type TestS3Server } from '../storage/s3-server.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('copyObjects', () => {
  let server: TestS3Server;
  let tmp: string;
  let local: LocalStore;
  let s3: S3Store;

  before(async () => {
    server = await startS3Server();
  });

  after(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'streampro-copy-'));
    local = await LocalStore.open(path.join(tmp, 'data'));
    s3 = await S3Store.open(server.storeOptions(await server.createBucket(), 'lake'));
  });

  afterEach(async () => {
    await s3.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('copies local -> S3 byte-identically with sizes and SHA-256, then skips on a second run', async () => {
    const big = randomBytes(3 * 1024 * 1024);
    await local.putBytes('users_2025-09-09.csv', 'id,name\n1,ada\n');
    await local.putBytes('events/big.bin', big);
    const run = copyObjects({
      source: local,
      destination: s3,
      mappings: (ctx) => [
        { from: `users_${ctx.ds}.csv`, to: `landing/users/ingestion_date=${ctx.ds}/users_${ctx.ds}.csv` },
        { from: 'events/big.bin', to: 'landing/events/big.bin' },
      ],
    });
    const { ctx } = fakeContext('2025-09-09');

    const first = await run(ctx);
    expect(first).to.deep.include({
      source: local.uri,
      destination: `s3://${s3.bucket}/lake`,
      copied: 2,
      skipped: 0,
    });
    expect(first.objects).to.deep.equal([
      {
        from: 'users_2025-09-09.csv',
        to: 'landing/users/ingestion_date=2025-09-09/users_2025-09-09.csv',
        size: 14,
        sha256: sha256(Buffer.from('id,name\n1,ada\n')),
        status: 'copied',
      },
      {
        from: 'events/big.bin',
        to: 'landing/events/big.bin',
        size: big.length,
        sha256: sha256(big),
        status: 'copied',
      },
    ]);
    expect(first.bytesCopied).to.equal(14 + big.length);
    expect(sha256(await s3.getBytes('landing/events/big.bin'))).to.equal(sha256(big));
    expect(JSON.parse(JSON.stringify(first))).to.deep.equal(first);

    const second = await run(ctx);
    expect(second).to.deep.include({ copied: 0, skipped: 2, bytesCopied: 0 });
    expect(second.objects.map((o) => [o.status, o.sha256])).to.deep.equal([
      ['skipped', first.objects[0]?.sha256],
      ['skipped', sha256(big)],
    ]);
  });

  it('copies again when the destination holds different bytes of the same size', async () => {
    await local.putBytes('a.txt', 'new!');
    await s3.putBytes('a.txt', 'old!');
    const out = await copyObjects({ source: local, destination: s3, keys: ['a.txt'] })(fakeContext().ctx);
    expect(out).to.deep.include({ copied: 1, skipped: 0 });
    expect((await s3.getBytes('a.txt')).toString()).to.equal('new!');
  });

  it('copies a prefix S3 -> local by URI, applying both prefixes', async () => {
    await s3.putBytes('staging/users/part-0.parquet', 'p0');
    await s3.putBytes('staging/users/part-1.parquet', 'p11');
    await s3.putBytes('staging/usersX/other', 'not under the folder');
    const out = await copyObjects({
      source: s3,
      destination: path.join(tmp, 'export'),
      sourcePrefix: 'staging/users',
      destinationPrefix: (ctx) => `users/ds=${ctx.ds}`,
    })(fakeContext('2025-09-10').ctx);
    expect(out.destination).to.match(/^file:\/\/.*\/export$/);
    expect(out.objects.map((o) => [o.from, o.to, o.size])).to.deep.equal([
      ['staging/users/part-0.parquet', 'users/ds=2025-09-10/part-0.parquet', 2],
      ['staging/users/part-1.parquet', 'users/ds=2025-09-10/part-1.parquet', 3],
    ]);
    const exported = await LocalStore.open(path.join(tmp, 'export'));
    expect((await exported.getBytes('users/ds=2025-09-10/part-1.parquet')).toString()).to.equal('p11');
    expect((await exported.list('')).length).to.equal(2);
    await exported.close();
  });

  it('fails with a retryable error naming every missing key and the store, before copying anything', async () => {
    await local.putBytes('present.csv', 'x');
    const run = copyObjects({
      source: local,
      destination: s3,
      keys: ['present.csv', 'late-1.csv', 'late-2.csv'],
    });
    const error = await rejection(run(fakeContext().ctx));
    expect(error).to.be.instanceOf(ObjectNotFoundError).and.not.instanceOf(NonRetryableError);
    expect(error.message).to.equal(`2 objects not found in ${local.uri}: late-1.csv, late-2.csv`);
    expect(await s3.exists('present.csv')).to.equal(false);
  });

  it('fails without retry when missingIsFatal is set', async () => {
    const run = copyObjects({ source: local, destination: s3, keys: ['gone.csv'], missingIsFatal: true });
    const error = await rejection(run(fakeContext().ctx));
    expect(error).to.be.instanceOf(FatalStorageError).and.instanceOf(NonRetryableError);
    expect(error.message).to.include('gone.csv').and.include(local.uri);
  });

  it('refuses keys and mappings together at definition time', () => {
    expect(() => copyObjects({ source: local, destination: s3, keys: [], mappings: [] })).to.throw(
      TypeError,
      'either keys or mappings',
    );
  });
});
