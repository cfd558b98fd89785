import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, ProcessPoolExecutor, SqliteRunStore } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';
import { resourceful } from './fixtures/resourceful.js';

const DAG_FILE = fileURLToPath(new URL('./fixtures/resourceful.ts', import.meta.url));
const DATE = '2025-01-02';
const TOKEN = 'tok-7f3a9c1e';

describe('DAG resources in worker processes', function () {
  this.timeout(60_000);
  let home: string;
  let journal: string;
  let engine: Engine;

  beforeEach(async () => {
    home = await makeTempDir();
    journal = path.join(home, 'journal.txt');
    engine = await Engine.open({
      home,
      store: await SqliteRunStore.open(path.join(home, 'state.db')),
      // The workers' environment is where a profile's settings reach the resources.
      executor: new ProcessPoolExecutor({
        size: 1,
        env: { ...process.env, RESOURCE_JOURNAL: journal, RESOURCE_TOKEN: TOKEN },
      }),
      dagFile: (id) => (id === resourceful.id ? DAG_FILE : undefined),
    });
  });
  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  const run = (tasks: string[]) => engine.run(resourceful, { logicalDate: DATE, tasks, force: true });
  const journalLines = (): string[] =>
    fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').trim().split('\n').filter(Boolean) : [];
  const stateOf = (result: Awaited<ReturnType<typeof run>>, taskId: string) =>
    result.tasks.find((t) => t.taskId === taskId)?.state;
  const attempt = async (runId: string, taskId: string) => {
    const [first, ...more] = await engine.tries(resourceful.id, runId, taskId);
    expect(more, 'one try only').to.deep.equal([]);
    return first!;
  };

  it('opens each resource the body reads once, in the worker, from its environment, and closes it after the try', async () => {
    const result = await run(['uses']);
    expect(stateOf(result, 'uses')).to.equal('success');
    const output = result.tasks.find((t) => t.taskId === 'uses')!.output as Record<string, unknown>;
    expect(output.sameValue).to.equal(true);
    expect(output.clientPid).to.equal(output.bodyPid);
    expect(output.cachePid).to.equal(output.bodyPid);
    expect(output.bodyPid).to.not.equal(process.pid);
    const pid = output.bodyPid as number;
    // Closed last opened first; brittle and unreachable were declared but never read, so never opened.
    expect(journalLines()).to.deep.equal([
      `open client uses#1 ${pid}`,
      `open cache uses#1 ${pid}`,
      'close cache uses#1',
      'close client uses#1',
    ]);
    const log = fs.readFileSync((await attempt(result.runId, 'uses')).logPath, 'utf8');
    expect(log).to.contain('calling with token=***');
    expect(log).to.not.contain(TOKEN);
  });

  it('opens nothing for a body that reads no resource', async () => {
    const result = await run(['ignores']);
    expect(stateOf(result, 'ignores')).to.equal('success');
    expect(journalLines()).to.deep.equal([]);
  });

  it('closes what a failed body opened, and the failure stays the body’s', async () => {
    const result = await run(['fails']);
    expect(stateOf(result, 'fails')).to.equal('failed');
    const failed = await attempt(result.runId, 'fails');
    expect(failed).to.include({ state: 'failed', errorName: 'NonRetryableError' });
    expect(failed.errorMessage).to.equal('the body failed after opening its client');
    expect(journalLines().slice(1)).to.deep.equal(['close client fails#1']);
  });

  it('logs a close that fails without changing the try’s success', async () => {
    const result = await run(['badClose']);
    expect(stateOf(result, 'badClose')).to.equal('success');
    const ok = await attempt(result.runId, 'badClose');
    expect(ok.state).to.equal('success');
    expect(journalLines().slice(1)).to.deep.equal(['close brittle badClose#1']);
    const warning = fs
      .readFileSync(ok.logPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; message: string })
      .find((line) => line.level === 'warn');
    expect(warning?.message).to.equal("resource 'brittle' failed to close: the socket was already gone");
  });

  it('fails the try with the error of a resource that cannot open, by its retry rules, and closes the others', async () => {
    const result = await run(['badOpen']);
    expect(stateOf(result, 'badOpen')).to.equal('failed');
    const failed = await attempt(result.runId, 'badOpen');
    expect(failed).to.include({ state: 'failed', errorName: 'NonRetryableError' });
    expect(failed.errorMessage).to.equal('no route to the service');
    expect(journalLines().slice(1)).to.deep.equal(['close cache badOpen#1']);
    expect(fs.readFileSync(failed.logPath, 'utf8')).to.contain("resource 'unreachable' could not be opened");
  });
});
