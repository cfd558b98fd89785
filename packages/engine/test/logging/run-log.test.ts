import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLineOf, linesOf, SecretMasker, textOf } from '@streampro/engine';
import { LogRouter } from '@streampro/engine/internal';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const WRITER = fileURLToPath(new URL('./support/segment-writer.ts', import.meta.url));
const key = (taskId: string, tryNumber = 1) => ({ dagId: 'd', runId: 'r', taskId, tryNumber });
const line = (o: Record<string, unknown>) => JSON.stringify(o);

describe('run log segments', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  it("picks a try's lines by its whole key, not by a task id that appears inside another line", () => {
    const text = [
      line({ message: 'a', dagId: 'd', runId: 'r', taskId: 't', tryNumber: 1 }),
      line({ message: 'b', dagId: 'd', runId: 'r', taskId: 't', tryNumber: 2 }),
      line({ message: 'c', dagId: 'd', runId: 'r', taskId: 'u', tryNumber: 1, about: { taskId: 't' } }),
      line({ message: 'd', dagId: 'd', runId: 'r', taskId: 'tt', tryNumber: 1 }),
      '',
      line({ message: 'e', dagId: 'd', runId: 'r', taskId: 't', tryNumber: 1 }),
    ].join('\n');
    expect(linesOf(text, key('t')).map((l) => JSON.parse(l).message)).to.deep.equal(['a', 'e']);
    expect(linesOf(text, key('t', 2)).map((l) => JSON.parse(l).message)).to.deep.equal(['b']);
    expect(linesOf(text, key('u')).map((l) => JSON.parse(l).message)).to.deep.equal(['c']);
    // A file of one try's lines written without keys (an older layout, an export) reads whole.
    expect(isLineOf('plain text', key('t'))).to.equal(true);
    expect(textOf('{"message":"x"}\nhalf a li', key('t'))).to.equal('{"message":"x"}\nhalf a li');
  });

  it('keeps a segment open for the next try of the run, and never closes one a try still writes', async () => {
    const router = new LogRouter(dir);
    const masker = new SecretMasker();
    // More runs than a process keeps open while idle: each still being written must stay usable.
    const logs = Array.from({ length: 40 }, (_, i) =>
      router.openTryLog({ dagId: 'd', runId: `r${i}`, taskId: 't', tryNumber: 1 }, masker),
    );
    await Promise.all(logs.map((l) => l.ready));
    for (const l of logs) l.logger.info('first');
    for (const l of logs.slice(0, 30)) l.close();
    await new Promise((r) => setImmediate(r));
    for (const l of logs.slice(30)) l.logger.info('second');
    for (const l of logs.slice(30)) l.close();
    router.close();
    for (const [i, l] of logs.entries()) {
      const messages = linesOf(fs.readFileSync(l.path, 'utf8'), {
        dagId: 'd',
        runId: `r${i}`,
        taskId: 't',
        tryNumber: 1,
      }).map((x) => JSON.parse(x).message);
      expect(messages, `run r${i}`).to.deep.equal(i < 30 ? ['first'] : ['first', 'second']);
    }
    expect(logs[0]!.path).to.equal(path.join(dir, 'dag_id=d', 'run_id=r0', 'tries.log'));
  });

  it('four processes appending 3 KB lines to one segment at once: every line whole, none lost, each in order', async function () {
    this.timeout(60_000);
    const file = path.join(dir, 'tries.log');
    const count = 1_500;
    const writers = ['a', 'b', 'c', 'd'].map(
      (taskId) =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, taskId, String(count)], {
            stdio: 'inherit',
          });
          child.on('error', reject);
          child.on('exit', resolve);
        }),
    );
    expect(await Promise.all(writers)).to.deep.equal([0, 0, 0, 0]);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).to.have.length(4 * count);
    for (const taskId of ['a', 'b', 'c', 'd']) {
      const own = linesOf(lines.join('\n'), key(taskId)).map((l) => JSON.parse(l).message);
      expect(own).to.deep.equal(Array.from({ length: count }, (_, i) => `line ${i}`));
    }
  });
});
