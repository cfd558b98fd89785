import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NonRetryableError } from '@streampro/engine';
import { expect } from 'chai';
import { FatalStorageError } from '../../src/storage/errors.js';
import { fatalLocalError } from '../../src/storage/local-errors.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { rejection } from './rejection.js';

function osError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, errno: -1, syscall: 'write' });
}

const SCOPE = { storeUri: 'file:///lake', operation: 'write', key: 'a/b.parquet', path: '/lake/a/b.parquet' };

describe('fatalLocalError', () => {
  const cases: readonly [string, string][] = [
    ['ENOSPC', 'NoSpace'],
    ['EDQUOT', 'NoSpace'],
    ['EROFS', 'ReadOnly'],
    ['EACCES', 'AccessDenied'],
    ['EPERM', 'AccessDenied'],
  ];
  for (const [osCode, code] of cases) {
    it(`maps ${osCode} to a final ${code} error naming the key, file and OS message`, () => {
      const cause = osError(osCode, `${osCode}: it failed, write`);
      const error = fatalLocalError(cause, SCOPE);
      expect(error).to.be.instanceOf(FatalStorageError);
      expect(error).to.be.instanceOf(NonRetryableError);
      expect(error).to.include({ code, storeUri: 'file:///lake', key: 'a/b.parquet', cause });
      expect(error?.message).to.equal(
        `cannot write 'a/b.parquet' at /lake/a/b.parquet: ${osCode}: it failed, write`,
      );
    });
  }

  it('leaves errors a retry may fix to the caller', () => {
    expect(fatalLocalError(osError('ENOENT', 'ENOENT: no such file'), SCOPE)).to.equal(undefined);
    expect(fatalLocalError(new Error('EIO'), SCOPE)).to.equal(undefined);
  });
});

describe('LocalStore on a filesystem it may not write', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'streampro-local-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('open: a root the kernel refuses (/sys) is a FatalStorageError with the path and OS message', async function () {
    if (process.platform !== 'linux') this.skip();
    const where = '/sys/streampro-local-errors-test';
    const error = await rejection(LocalStore.open(where));
    expect(error).to.be.instanceOf(FatalStorageError);
    expect(error).to.include({ code: 'AccessDenied', storeUri: pathToFileURL(where).href });
    expect(error.message).to.match(
      /^cannot open the store at \/sys\/streampro-local-errors-test: (EPERM: operation not permitted|EACCES: permission denied), mkdir '\/sys\/streampro-local-errors-test'$/,
    );
  });

  it('getToFile: a target the kernel refuses is a FatalStorageError, not a retryable error', async function () {
    if (process.platform !== 'linux') this.skip();
    const store = await LocalStore.open(root);
    await store.putBytes('report.json', '{}');
    const target = '/sys/streampro-local-errors-test/report.json';
    const error = await rejection(store.getToFile('report.json', target));
    expect(error).to.be.instanceOf(FatalStorageError);
    expect(error).to.include({ code: 'AccessDenied', key: 'report.json' });
    expect(error.message).to.match(
      /^cannot download 'report.json' at \/sys\/streampro-local-errors-test\/report.json: E(PERM|ACCES)/,
    );
  });
});
