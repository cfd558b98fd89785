import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { makeWorkFolder, sweepWorkFolders } from '../../src/work/work-folder.js';

const MODULE = fileURLToPath(new URL('../../src/work/work-folder.ts', import.meta.url));

/** A real process that makes a work folder in `parent`, prints it, then waits to be killed. */
async function holder(parent: string): Promise<{ child: ChildProcess; dir: string }> {
  const code = `const { makeWorkFolder } = await import(${JSON.stringify(MODULE)});
    const dir = await makeWorkFolder(${JSON.stringify(parent)}, 'streampro-to-parquet-');
    console.log(dir); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, dir: line.toString().trim() };
}

describe('work folders', function () {
  this.timeout(30_000);
  let parent: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    parent = fs.mkdtempSync(path.join(tmpdir(), 'sp-work-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('removes the folders of processes killed with SIGKILL, never those of live ones or of other hosts', async () => {
    const killed = await holder(parent);
    const live = await holder(parent);
    children.push(killed.child, live.child);
    fs.writeFileSync(path.join(killed.dir, 'input.jsonl'), 'x\n');
    killed.child.kill('SIGKILL');
    await once(killed.child, 'exit');
    const otherHost = path.join(parent, 'streampro-to-parquet-elsewhere-1-abcdef');
    fs.mkdirSync(otherHost);
    const unrelated = path.join(parent, 'someone-else-1-abcdef');
    fs.mkdirSync(unrelated);

    expect(fs.existsSync(killed.dir)).to.equal(true);
    const removed = await sweepWorkFolders(parent);
    expect(removed).to.deep.equal([path.basename(killed.dir)]);
    expect([killed.dir, live.dir, otherHost, unrelated].map((d) => fs.existsSync(d))).to.deep.equal([
      false,
      true,
      true,
      true,
    ]);
  });

  it('names a folder after its host and process, and sweeps its parent before the first one', async () => {
    const dead = path.join(
      parent,
      `streampro-query-${hostname().replace(/[^A-Za-z0-9.]/g, '_')}-999999999-zzzzzz`,
    );
    fs.mkdirSync(dead);
    const dir = await makeWorkFolder(parent, 'streampro-query-');
    expect(path.basename(dir)).to.match(new RegExp(`^streampro-query-.+-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(fs.existsSync(dead)).to.equal(false);
  });
});
