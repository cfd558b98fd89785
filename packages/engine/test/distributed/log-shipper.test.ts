import fs from 'node:fs';
import path from 'node:path';
import { MemoryRunStore } from '@streampro/engine';
import { LogShipper } from '@streampro/engine/internal';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const KEY = { dagId: 'd', runId: 'r', taskId: 't', tryNumber: 1 };

describe('LogShipper', () => {
  let dir: string;
  let store: MemoryRunStore;
  let file: string;
  const shipped: { offset: number; text: string }[] = [];

  beforeEach(async () => {
    dir = await makeTempDir();
    file = path.join(dir, 'attempt=1.log');
    store = new MemoryRunStore();
    shipped.length = 0;
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  const shipper = (fail: () => boolean = () => false) =>
    new LogShipper(
      KEY,
      file,
      async (key, offset, text) => {
        if (fail()) throw new Error('database away');
        shipped.push({ offset, text });
        await store.appendTryLog(key, offset, text);
      },
      10,
    );

  it('ships whole lines while the try runs, the unfinished last line at the end, multi-byte text intact', async () => {
    const s = shipper();
    s.start();
    fs.writeFileSync(file, 'ünïcode line 1\nhalf a li');
    await new Promise((r) => setTimeout(r, 60));
    expect(shipped.map((p) => p.text)).to.deep.equal(['ünïcode line 1\n']);
    fs.appendFileSync(file, 'ne\nlast without newline');
    expect(await s.finish()).to.equal(null);
    expect((await store.readTryLog(KEY))?.text).to.equal(fs.readFileSync(file, 'utf8'));
    expect(s.shipped).to.equal(fs.statSync(file).size);
  });

  it("ships only its try's lines of a run's segment, from where the segment was when the try began", async () => {
    const line = (taskId: string, message: string) =>
      `${JSON.stringify({ level: 'info', message, dagId: 'd', runId: 'r', taskId, tryNumber: 1 })}\n`;
    fs.writeFileSync(file, line('t', 'an earlier execution of this try') + line('u', 'another task'));
    const s = shipper();
    s.start();
    fs.appendFileSync(
      file,
      line('u', 'interleaved') + line('t', 'mine 1') + line('u', 'again') + line('t', 'mine 2'),
    );
    expect(await s.finish()).to.equal(null);
    const mine = line('t', 'mine 1') + line('t', 'mine 2');
    expect((await store.readTryLog(KEY))?.text).to.equal(mine);
    expect(s.shipped).to.equal(Buffer.byteLength(mine));
  });

  it('a try that wrote nothing ships nothing (no stored log)', async () => {
    const s = shipper();
    s.start();
    expect(await s.finish()).to.equal(null);
    expect(await store.readTryLog(KEY)).to.equal(undefined);
  });

  it('when the store is away it ships from the same offset later: nothing lost, nothing twice', async () => {
    let away = true;
    const s = shipper(() => away);
    s.start();
    fs.writeFileSync(file, 'one\ntwo\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(shipped).to.deep.equal([]);
    away = false;
    fs.appendFileSync(file, 'three\n');
    expect(await s.finish()).to.equal(null);
    expect((await store.readTryLog(KEY))?.text).to.equal('one\ntwo\nthree\n');
  });

  it('finish reports the error when the store stays away', async () => {
    const s = shipper(() => true);
    fs.writeFileSync(file, 'one\n');
    const error = await s.finish();
    expect(error?.message).to.equal('database away');
  });
});
