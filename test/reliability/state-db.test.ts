import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FatalStorageError, LocalStore } from '@streampro/operators';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { collect, type Result } from '../cli/helpers.js';
import { FaultSandbox, killHard, tempObjects, visibleObjects } from './support/harness.js';

const LOCKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/lock-child.ts');

function digest(dir: string): string {
  const hash = createHash('sha256');
  for (const name of fs.readdirSync(dir).sort()) {
    if (name.startsWith('state.db')) hash.update(name).update(fs.readFileSync(path.join(dir, name)));
  }
  return hash.digest('hex');
}

/** A clear usage error: exit 2, one `dag:` line, no stack. */
function expectOneLine(r: Result, pattern: RegExp): void {
  expect(r.code, r.stderr).to.equal(2);
  expect(r.stderr).to.match(/^dag: [^\n]+\n$/);
  expect(r.stderr).to.match(pattern);
}

describe('reliability: the state database', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  let db: string;
  beforeEach(async () => {
    sb = new FaultSandbox();
    db = path.join(sb.home, 'state.db');
    // A real database with one finished run in it.
    const r = await sb.dag('run', 'owned', '--date', '2025-01-05');
    expect(r.code, r.stderr).to.equal(0);
  });
  afterEach(() => sb.cleanup());

  it('not a database at all: exit 2, one line, the file untouched', async () => {
    for (const f of fs.readdirSync(sb.home)) if (f.startsWith('state.db')) fs.rmSync(path.join(sb.home, f));
    fs.writeFileSync(db, Buffer.alloc(16_384, 'garbage!'));
    const before = digest(sb.home);
    expectOneLine(
      await sb.dag('run', 'owned', '--date', '2025-01-06'),
      /state database .*state\.db is corrupt/,
    );
    expectOneLine(await sb.dag('status', 'owned', '--date', '2025-01-05'), /is corrupt/);
    expect(digest(sb.home)).to.equal(before);
  });

  it('pages overwritten in the middle: exit 2, one line, the file untouched', async () => {
    const size = fs.statSync(db).size;
    const fd = fs.openSync(db, 'r+');
    // Keep the 100-byte header (so it still opens as SQLite) and wreck the pages behind it.
    fs.writeSync(fd, Buffer.alloc(size - 100, 0xa5), 0, size - 100, 100);
    fs.closeSync(fd);
    const before = digest(sb.home);
    expectOneLine(await sb.dag('run', 'owned', '--date', '2025-01-06'), /corrupt/);
    expect(digest(sb.home)).to.equal(before);
  });

  it('locked by another process (BEGIN EXCLUSIVE): exit 2, one line saying so, nothing changed', async () => {
    const locker = spawn(process.execPath, ['--import', 'tsx', LOCKER, db], { stdio: 'pipe' });
    try {
      await new Promise<void>((resolve, reject) => {
        locker.stdout.once('data', () => resolve());
        locker.once('exit', (code) => reject(new Error(`locker exited ${code}`)));
      });
      const r = await sb.dag('run', 'owned', '--date', '2025-01-06');
      expectOneLine(r, /state database .*state\.db is locked by another process/);
    } finally {
      await killHard(locker);
    }
    const check = new Database(db, { readonly: true });
    try {
      const runs = check.prepare('SELECT run_id FROM dag_runs').all() as { run_id: string }[];
      expect(runs.map((x) => x.run_id)).to.deep.equal(['manual__2025-01-05']);
    } finally {
      check.close();
    }
  });

  it('from a newer schema version: exit 2, one line, the file untouched', async () => {
    const handle = new Database(db);
    handle.pragma('user_version = 999');
    handle.close();
    const before = digest(sb.home);
    expectOneLine(await sb.dag('run', 'owned', '--date', '2025-01-06'), /newer/);
    expect(digest(sb.home)).to.equal(before);
  });

  describe('a full disk (a 2 MB tmpfs, needs root and mount permission)', () => {
    let mountPoint: string;
    before(function () {
      mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'streampro-full-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore' });
      } catch {
        fs.rmdirSync(mountPoint);
        this.skip();
      }
    });
    after(() => {
      if (!fs.existsSync(mountPoint)) return;
      execFileSync('umount', [mountPoint]);
      fs.rmdirSync(mountPoint);
    });

    it('LocalStore: a write that hits ENOSPC publishes nothing and leaves no temp file', async () => {
      const store = await LocalStore.open(path.join(mountPoint, 'lake'));
      await store.putBytes('small.json', '{"ok":true}\n');
      let error: unknown;
      try {
        await store.putBytes('big.bin', Buffer.alloc(4 * 1024 * 1024, 1));
      } catch (e) {
        error = e;
      }
      // Final, not retried: a full disk stays full for the next try.
      expect(error).to.be.instanceOf(FatalStorageError);
      expect(error).to.include({ code: 'NoSpace', key: 'big.bin' });
      expect((error as Error).message).to.equal(
        `cannot write 'big.bin' at ${path.join(mountPoint, 'lake', 'big.bin')}: ENOSPC: no space left on device, write`,
      );
      expect(((error as Error).cause as NodeJS.ErrnoException).code).to.equal('ENOSPC');
      expect(visibleObjects(path.join(mountPoint, 'lake'))).to.deep.equal(['small.json']);
      expect(tempObjects(path.join(mountPoint, 'lake'))).to.deep.equal([]);
      fs.rmSync(path.join(mountPoint, 'lake'), { recursive: true });
    });

    it('dag run with its home on a full disk: a clear error, and the state database still opens afterwards', async () => {
      const home = path.join(mountPoint, 'home');
      sb.extraEnv = { STREAMPRO_HOME: home };
      expect((await sb.dag('run', 'owned', '--date', '2025-01-05')).code).to.equal(0);
      // Fill what is left of the disk.
      try {
        fs.writeFileSync(path.join(mountPoint, 'filler'), Buffer.alloc(4 * 1024 * 1024));
      } catch {
        // ENOSPC: the filler took every free block, as intended
      }
      const child = sb.start('backfill', 'owned', '--start', '2025-01-06', '--end', '2025-01-20');
      const r = await collect(child);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr, r.stderr).to.match(
        /the disk is full .*free space and retry|check that its disk has free space/,
      );
      expect(r.stderr).to.not.match(/\n\s+at /);
      fs.rmSync(path.join(mountPoint, 'filler'));
      const after = await sb.dag('status', 'owned', '--date', '2025-01-05', '--json');
      expect(after.code, after.stderr).to.equal(0);
    });
  });
});
