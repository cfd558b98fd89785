import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { ObjectNotFoundError } from '../../src/storage/errors.js';
import { InvalidKeyError } from '../../src/storage/keys.js';
import { mapLimit } from '../../src/storage/map-limit.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { rejection } from './rejection.js';

/** A fresh, empty store and how to dispose of it. */
export interface StoreFixture {
  readonly store: ObjectStore;
  cleanup(): Promise<void>;
}

const MIB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The behaviour every ObjectStore must have. `create` is called before each test and must give a
 * store with its own empty namespace; stores whose multipart part size is configurable should use
 * 5 MiB so the 12 MiB upload below spans three parts.
 */
export function objectStoreContract(name: string, create: () => Promise<StoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: ObjectStore;
    let tmp: string;

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      tmp = await mkdtemp(path.join(os.tmpdir(), 'streampro-contract-'));
    });

    afterEach(async () => {
      await fixture.cleanup();
      await rm(tmp, { recursive: true, force: true });
    });

    it('puts and gets bytes, and reports their size', async () => {
      const info = await store.putBytes('a/b/hello.txt', 'hello, world');
      expect(info.key).to.equal('a/b/hello.txt');
      expect(info.size).to.equal(12);
      expect((await store.getBytes('a/b/hello.txt')).toString()).to.equal('hello, world');
      const head = await store.head('a/b/hello.txt');
      expect(head?.size).to.equal(12);
      expect(head?.lastModified).to.be.instanceOf(Date);
    });

    it('puts and gets a stream', async () => {
      const bytes = randomBytes(300_000);
      await store.putStream('s/data.bin', Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
      expect(sha256(await readAll(await store.getStream('s/data.bin')))).to.equal(sha256(bytes));
    });

    it('uploads a file and downloads it to a file', async () => {
      const source = path.join(tmp, 'in.csv');
      await writeFile(source, 'id,name\n1,ada\n');
      const info = await store.putFile('landing/in.csv', source);
      expect(info.size).to.equal(14);
      const target = path.join(tmp, 'out', 'nested', 'copy.csv');
      const got = await store.getToFile('landing/in.csv', target);
      expect(got.size).to.equal(14);
      expect(await readFile(target, 'utf8')).to.equal('id,name\n1,ada\n');
    });

    it('reports missing keys: head undefined, exists false, reads throw ObjectNotFoundError', async () => {
      expect(await store.head('nope/x')).to.equal(undefined);
      expect(await store.exists('nope/x')).to.equal(false);
      await store.putBytes('nope/y', 'y');
      expect(await store.exists('nope/y')).to.equal(true);
      for (const read of [() => store.getBytes('nope/x'), () => store.getStream('nope/x')]) {
        const error = await rejection(read());
        expect(error).to.be.instanceOf(ObjectNotFoundError);
        expect(error.message).to.include("'nope/x'").and.include(store.uri);
      }
    });

    it('lists by prefix, sorted, without other prefixes', async () => {
      for (const key of ['p/b.txt', 'p/a.txt', 'p/sub/c.txt', 'pq/d.txt', 'other/e.txt']) {
        await store.putBytes(key, key);
      }
      expect((await store.list('p/')).map((o) => o.key)).to.deep.equal(['p/a.txt', 'p/b.txt', 'p/sub/c.txt']);
      expect((await store.list('p')).map((o) => o.key)).to.deep.equal([
        'p/a.txt',
        'p/b.txt',
        'p/sub/c.txt',
        'pq/d.txt',
      ]);
      expect((await store.list('')).length).to.equal(5);
      expect(await store.list('missing/')).to.deep.equal([]);
      expect((await store.list('p/sub/'))[0]?.size).to.equal('p/sub/c.txt'.length);
    });

    it('copies within the store, overwrites and deletes', async () => {
      await store.putBytes('c/one', 'first');
      const copied = await store.copy('c/one', 'c/two');
      expect(copied.size).to.equal(5);
      await store.putBytes('c/one', 'second version');
      expect((await store.getBytes('c/one')).toString()).to.equal('second version');
      expect((await store.getBytes('c/two')).toString()).to.equal('first');
      await store.delete('c/one');
      expect(await store.exists('c/one')).to.equal(false);
      await store.delete('c/one'); // deleting a missing key is not an error
      expect((await store.list('c/')).map((o) => o.key)).to.deep.equal(['c/two']);
    });

    it('lists more than 1,000 keys across pages', async () => {
      const keys = Array.from({ length: 1100 }, (_, i) => `many/k${String(i).padStart(4, '0')}`);
      await mapLimit(keys, 32, (key) => store.putBytes(key, key));
      const listed = await store.list('many/');
      expect(listed.length).to.equal(1100);
      expect(listed.map((o) => o.key)).to.deep.equal(keys);
    });

    it('uploads a file larger than the part size, byte-identical on download', async () => {
      const bytes = randomBytes(12 * MIB);
      const source = path.join(tmp, 'big.bin');
      await writeFile(source, bytes);
      const info = await store.putFile('big/big.bin', source);
      expect(info.size).to.equal(bytes.length);
      const target = path.join(tmp, 'big-out.bin');
      await store.getToFile('big/big.bin', target);
      expect(sha256(await readFile(target))).to.equal(sha256(bytes));
    });

    it('rejects unsafe keys with InvalidKeyError naming the key and the rule', async () => {
      const cases: [string, string][] = [
        ['../x', "'..' segments"],
        ['a/../x', "'..' segments"],
        ['/abs', 'leading /'],
        ['a//b', 'empty path segments'],
        ['a\\b', 'backslashes'],
        ['a\u0000b', 'control characters'],
        ['', 'must not be empty'],
      ];
      for (const [key, rule] of cases) {
        const error = await rejection(store.putBytes(key, 'x'));
        expect(error, key).to.be.instanceOf(InvalidKeyError);
        expect((error as InvalidKeyError).key).to.equal(key);
        expect(error.message).to.include(JSON.stringify(key)).and.include(rule);
      }
      expect(await rejection(store.head('../x'))).to.be.instanceOf(InvalidKeyError);
      expect(await rejection(store.list('../'))).to.be.instanceOf(InvalidKeyError);
      expect(await store.list('')).to.deep.equal([]);
    });
  });
}
