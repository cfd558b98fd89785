import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { FatalStorageError } from '../../src/storage/errors.js';
import { LOCAL_TEMP_DIR } from '../../src/storage/keys.js';
import { LocalStore } from '../../src/storage/local-store.js';
import { objectStoreContract } from './object-store.contract.js';
import { rejection } from './rejection.js';

objectStoreContract('LocalStore', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'streampro-local-'));
  const store = await LocalStore.open(root);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('LocalStore', () => {
  let root: string;
  let store: LocalStore;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'streampro-local-'));
    store = await LocalStore.open(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('the first write of a process removes temp files a killed writer left, and keeps a live writer’s', async () => {
    const { mkdir, utimes, writeFile } = await import('node:fs/promises');
    const temp = path.join(root, LOCAL_TEMP_DIR);
    await mkdir(temp);
    await writeFile(path.join(temp, 'left-by-kill-9'), 'half an object');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(path.join(temp, 'left-by-kill-9'), twoHoursAgo, twoHoursAgo);
    await writeFile(path.join(temp, 'being-written'), 'a live upload');
    await store.putBytes('k.txt', 'x');
    expect(await readdir(temp)).to.deep.equal(['being-written']);
  });

  it('refuses a symbolic link that leads out of its folder, for reads and writes; one that stays inside works', async () => {
    const { mkdir, symlink, writeFile, readFile } = await import('node:fs/promises');
    const outside = await mkdtemp(path.join(os.tmpdir(), 'streampro-outside-'));
    try {
      await writeFile(path.join(outside, 'secret.txt'), 'not yours');
      await symlink(path.join(outside, 'secret.txt'), path.join(root, 'leak.csv'));
      await symlink(outside, path.join(root, 'elsewhere'));
      await mkdir(path.join(root, 'real'));
      await writeFile(path.join(root, 'real', 'a.csv'), 'a\n');
      await symlink(path.join(root, 'real', 'a.csv'), path.join(root, 'alias.csv'));

      for (const attempt of [
        store.getBytes('leak.csv'),
        store.getStream('leak.csv'),
        store.head('leak.csv'),
        store.copy('leak.csv', 'copied.csv'),
        store.getBytes('elsewhere/secret.txt'),
        store.putBytes('elsewhere/planted.txt', 'x'),
      ]) {
        const error = await rejection(attempt);
        expect(error).to.be.instanceOf(FatalStorageError);
        expect((error as FatalStorageError).code).to.equal('OutsideStore');
        expect(error.message).to.match(
          /leads through a symbolic link to .*, outside the store's folder; replace the link/,
        );
      }
      expect((await readdir(outside)).sort()).to.deep.equal(['secret.txt']);
      expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).to.equal('not yours');
      expect((await store.getBytes('alias.csv')).toString()).to.equal('a\n');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('has a file:// URI for its root', () => {
    expect(store.uri).to.equal(pathToFileURL(root).href);
  });

  it('a store only read from writes nothing into its folder (no temp folder in a data folder of inputs)', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(root, 'users_2025-09-09.csv'), 'id\n1\n');
    const reader = await LocalStore.open(root);
    expect((await reader.getBytes('users_2025-09-09.csv')).toString()).to.equal('id\n1\n');
    expect((await reader.list('')).map((o) => o.key)).to.deep.equal(['users_2025-09-09.csv']);
    expect(await reader.head('users_2025-09-09.csv')).to.not.equal(undefined);
    expect(await readdir(root)).to.deep.equal(['users_2025-09-09.csv']);
    await reader.putBytes('out.txt', 'x');
    expect((await readdir(root)).sort()).to.deep.equal([LOCAL_TEMP_DIR, 'out.txt', 'users_2025-09-09.csv']);
  });

  it('creates a missing root, and refuses a root that is a file', async () => {
    const fresh = path.join(root, 'a', 'b');
    await LocalStore.open(fresh);
    expect(await readdir(path.join(root, 'a'))).to.deep.equal(['b']);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(root, 'plain'), '');
    const error = await LocalStore.open(path.join(root, 'plain')).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.include('is not a folder');
  });

  it('never shows a write in progress: no temp file in list, no partial object', async () => {
    await store.putBytes('t/done.txt', 'old');
    const body = new PassThrough();
    const writing = store.putStream('t/done.txt', body);
    const writingNew = store.putStream(
      't/new.txt',
      (() => {
        const other = new PassThrough();
        other.write('partial');
        setTimeout(() => other.end(' and the rest'), 50);
        return other;
      })(),
    );
    body.write('new but not finished');
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect((await store.list('')).map((o) => o.key)).to.deep.equal(['t/done.txt']);
    expect((await store.getBytes('t/done.txt')).toString()).to.equal('old');
    expect(await store.exists('t/new.txt')).to.equal(false);
    expect(await readdir(path.join(root, LOCAL_TEMP_DIR))).to.have.length(2);

    body.end();
    await Promise.all([writing, writingNew]);
    expect((await store.getBytes('t/done.txt')).toString()).to.equal('new but not finished');
    expect((await store.getBytes('t/new.txt')).toString()).to.equal('partial and the rest');
    expect(await readdir(path.join(root, LOCAL_TEMP_DIR))).to.deep.equal([]);
  });

  it('removes the temp file and keeps the old object when a stream fails', async () => {
    await store.putBytes('f/x', 'kept');
    const body = new PassThrough();
    const writing = store.putStream('f/x', body);
    body.write('doomed');
    body.destroy(new Error('source broke'));
    let failure: unknown;
    await writing.catch((error: unknown) => {
      failure = error;
    });
    expect((failure as Error).message).to.equal('source broke');
    expect((await store.getBytes('f/x')).toString()).to.equal('kept');
    expect(await readdir(path.join(root, LOCAL_TEMP_DIR))).to.deep.equal([]);
  });

  it('rejects the reserved temp folder as a key', async () => {
    let failure: unknown;
    await store.putBytes(`${LOCAL_TEMP_DIR}/x`, 'x').catch((error: unknown) => {
      failure = error;
    });
    expect((failure as Error).message).to.include('reserved');
  });
});
