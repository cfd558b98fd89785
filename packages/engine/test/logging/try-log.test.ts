import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineDag, Engine, linesOf, ManualClock, type TaskInstanceKey } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-01';
const RUN_ID = `manual__${DAY}`;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** The lines of one try in a log segment, parsed; the file must end with a newline. */
async function jsonLines(file: string, key: TaskInstanceKey): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\n')).to.equal(true);
  return linesOf(text, key).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('per-try logs', () => {
  let home: string;
  let engine: Engine;

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  it('writes every try of a run into one JSON-lines segment, every line scoped, a failing try ending with its error', async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home, clock: new ManualClock(Date.UTC(2025, 0, 1), { autoAdvance: true }) });
    const dag = defineDag({ id: 'logged', startDate: '2025-01-01' });
    dag.task({
      id: 'ok',
      run: (ctx) => {
        ctx.log.info('read rows', { rows: 3 });
        ctx.log.debug('details');
        return 3;
      },
    });
    dag.task({
      id: 'bad',
      retries: 1,
      run: (ctx) => {
        ctx.log.warn('about to fail', { attempt: ctx.tryNumber });
        throw new TypeError(`cannot parse line ${ctx.tryNumber}`);
      },
    });

    const result = await engine.run(dag, { logicalDate: DAY });

    expect(result.state).to.equal('failed');
    const logs = path.join(home, 'logs');
    const prefix = path.join('dag_id=logged', `run_id=${RUN_ID}`);
    // One file for the run: no folder and no file per try.
    expect(await filesUnder(logs)).to.deep.equal([path.join(prefix, 'tries.log')]);
    const segment = path.join(logs, prefix, 'tries.log');
    for (const t of result.tasks) expect(t.logPath).to.equal(segment);
    const all = (await readFile(segment, 'utf8')).trimEnd().split('\n');
    const key = (taskId: string, tryNumber: number) => ({
      dagId: 'logged',
      runId: RUN_ID,
      taskId,
      tryNumber,
    });
    // Every line belongs to exactly one try.
    const perTry = [key('ok', 1), key('bad', 1), key('bad', 2)].map((k) => linesOf(all.join('\n'), k).length);
    expect(perTry.reduce((a, b) => a + b)).to.equal(all.length);

    const ok = await jsonLines(segment, key('ok', 1));
    for (const line of ok) {
      expect(line).to.deep.include({ dagId: 'logged', runId: RUN_ID, taskId: 'ok', tryNumber: 1 });
      expect(line.timestamp).to.be.a('string');
    }
    expect(ok.map((l) => [l.level, l.message])).to.deep.equal([
      ['info', 'starting try 1 of 1'],
      ['info', 'read rows'],
      ['debug', 'details'],
      ['info', 'try succeeded'],
    ]);
    expect(ok[1]?.rows).to.equal(3);

    for (const tryNumber of [1, 2]) {
      const lines = await jsonLines(segment, key('bad', tryNumber));
      for (const line of lines) expect(line).to.deep.include({ taskId: 'bad', tryNumber });
      expect(lines[1]).to.deep.include({ level: 'warn', message: 'about to fail', attempt: tryNumber });
      const failure = lines.find((l) => l.level === 'error');
      expect(failure?.message).to.equal(`try failed: cannot parse line ${tryNumber}`);
      const error = failure?.error as { name: string; message: string; stack: string };
      expect(error.name).to.equal('TypeError');
      expect(error.message).to.equal(`cannot parse line ${tryNumber}`);
      expect(error.stack).to.match(/^TypeError: cannot parse line \d\n\s+at /);
      if (tryNumber === 1) expect(lines.at(-1)?.message).to.match(/^retrying in \d+ ms \(try 2 of 2\)$/);
      else expect(lines.at(-1)).to.equal(failure);
    }
  });

  it('masks secret params, values given to ctx.maskSecret and engine secrets in logs and stored errors', async () => {
    home = await makeTempDir();
    const engineSecret = 'engine-pass"word\\42';
    engine = await Engine.open({ home, secrets: [engineSecret] });
    const paramSecret = 'param-token-1234';
    const runtimeSecret = 'runtime-salt-5678';
    const dag = defineDag({
      id: 'secrets',
      startDate: '2025-01-01',
      params: { token: { default: 'unset-token', secret: true }, region: { default: 'eu-west-1' } },
    });
    dag.task({
      id: 'leaky',
      run: (ctx) => {
        ctx.maskSecret(runtimeSecret);
        const all = `${ctx.params.token} ${runtimeSecret} ${engineSecret}`;
        ctx.log.info(`connecting with ${all}`, { token: ctx.params.token, nested: { salt: runtimeSecret } });
        throw new Error(`login failed for ${all}`);
      },
    });

    const result = await engine.run(dag, { logicalDate: DAY, params: { token: paramSecret } });

    const logs = path.join(home, 'logs');
    const files = await filesUnder(logs);
    expect(files).to.have.length(1);
    const text = await readFile(path.join(logs, files[0]!), 'utf8');
    expect(text).to.contain('connecting with *** *** ***');
    const stored = await engine.tries('secrets', RUN_ID);
    const error = result.tasks[0]?.error;
    expect(error).to.equal('login failed for *** *** ***');
    const haystacks = [text, error ?? '', stored[0]?.errorMessage ?? '', stored[0]?.errorStack ?? ''];
    for (const secret of [
      paramSecret,
      runtimeSecret,
      engineSecret,
      JSON.stringify(engineSecret).slice(1, -1),
    ]) {
      for (const hay of haystacks) expect(hay).to.not.contain(secret);
    }
    expect(stored[0]?.errorStack).to.match(/^Error: login failed for \*\*\* \*\*\* \*\*\*\n/);
    await engine.close();
    // The state database (and its write-ahead log) never holds the secret param's value.
    for (const file of ['state.db', 'state.db-wal']) {
      const bytes = await readFile(path.join(home, file)).catch(() => Buffer.alloc(0));
      expect(bytes.includes(paramSecret), file).to.equal(false);
    }
  });
});
