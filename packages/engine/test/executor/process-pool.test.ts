import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, ProcessPoolExecutor, SqliteRunStore } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';
import { faults } from './fixtures/faults.js';

const DAG_FILE = fileURLToPath(new URL('./fixtures/faults.ts', import.meta.url));
const GRACE_MS = 1000;
const DATE = '2025-01-02';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lines = (file: string): string[] =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('ProcessPoolExecutor: tries in worker processes', function () {
  this.timeout(60_000);
  let home: string;
  let dir: string;
  let engine: Engine;

  beforeEach(async () => {
    home = await makeTempDir();
    dir = path.join(home, 'notes');
    fs.mkdirSync(dir);
    engine = await Engine.open({
      home,
      store: await SqliteRunStore.open(path.join(home, 'state.db')),
      executor: new ProcessPoolExecutor({ size: 2, graceMs: GRACE_MS }),
      dagFile: (id) => (id === faults.id ? DAG_FILE : undefined),
    });
  });
  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  const stateOf = (r: Awaited<ReturnType<typeof run>>, taskId: string) =>
    r.tasks.find((t) => t.taskId === taskId)?.state;
  const run = (tasks: string[], params: Record<string, string> = {}) =>
    engine.run(faults, { logicalDate: DATE, tasks, params: { dir, ...params }, force: true });

  it('a busy-looping body is failed at its deadline and its process killed after the grace period', async () => {
    const result = await run(['busy']);
    expect(result.state).to.equal('failed');
    const [attempt] = await engine.tries(faults.id, result.runId, 'busy');
    expect(attempt).to.include({ state: 'failed', errorName: 'TaskTimeoutError' });
    // Recorded at the deadline, not when the process finally went away.
    expect(attempt!.durationMs)
      .to.be.at.least(1000)
      .and.below(1000 + GRACE_MS);
    const pid = Number(lines(path.join(dir, 'busy.log'))[0]!.split(' ')[1]);
    expect(attempt!.pid).to.equal(pid);
    await until('the busy worker to be killed', () => !alive(pid), GRACE_MS + 1000);
    expect(lines(path.join(dir, 'busy.log'))).to.deep.equal([`start ${pid}`]);
  });

  it('a try that ignores its abort signal is killed before its retry starts', async () => {
    const result = await run(['stubborn']);
    expect(stateOf(result, 'stubborn')).to.equal('success');
    const tries = await engine.tries(faults.id, result.runId, 'stubborn');
    expect(tries.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
      [1, 'up_for_retry', 'TaskTimeoutError'],
      [2, 'success', null],
    ]);
    const log = lines(path.join(dir, 'stubborn.log'));
    // The first body never reached its end; the second started when the first process was gone.
    expect(log.map((l) => l.split(' ')[0])).to.deep.equal(['start', 'start']);
    expect(log[1]).to.match(/^start 2 \d+ previous-alive=false$/);
    expect(tries[1]!.pid).to.not.equal(tries[0]!.pid);
  });

  it('a worker killed with SIGKILL from outside fails only its own try, which is retried', async () => {
    const running = run(['victim', 'bystander']);
    const pidFile = path.join(dir, 'victim.pid');
    await until('the victim to start', () => fs.existsSync(pidFile));
    await until('the bystander to start', () => lines(path.join(dir, 'bystander.log')).length > 0);
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    fs.writeFileSync(path.join(dir, 'victim.killed'), '');
    const result = await running;
    expect(stateOf(result, 'victim')).to.equal('success');
    const victim = await engine.tries(faults.id, result.runId, 'victim');
    expect(victim.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
      [1, 'up_for_retry', 'WorkerCrashedError'],
      [2, 'success', null],
    ]);
    expect(victim[0]!.errorMessage).to.match(/was killed by SIGKILL while it ran the try/);
    const bystander = await engine.tries(faults.id, result.runId, 'bystander');
    expect(bystander.map((t) => [t.tryNumber, t.state])).to.deep.equal([[1, 'success']]);
  });

  it('process.exit(3) in a body fails the try with its exit code', async () => {
    const result = await run(['exits']);
    expect(result.state).to.equal('failed');
    const [attempt] = await engine.tries(faults.id, result.runId, 'exits');
    expect(attempt).to.include({ state: 'failed', errorName: 'WorkerCrashedError' });
    expect(attempt!.errorMessage).to.match(/exited with exit code 3 while it ran the try/);
  });

  it('output of a timed-out body lands masked in its log, and the secret nowhere else', async () => {
    const printed: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const writeOut = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as never;
    process.stdout.write = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as never;
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(['leaky']);
      // Let the worker finish what it does after its deadline before looking.
      await new Promise((r) => setTimeout(r, GRACE_MS + 500));
    } finally {
      process.stderr.write = write;
      process.stdout.write = writeOut;
    }
    expect(result.state).to.equal('failed');
    const [attempt] = await engine.tries(faults.id, result.runId, 'leaky');
    const log = fs.readFileSync(attempt!.logPath, 'utf8');
    for (const text of [
      'connecting with token=***',
      'aborted; token=***',
      'stderr token=***',
      'logger token=***',
      'late token=***',
    ]) {
      expect(log).to.contain(text);
    }
    expect(printed.join('')).to.not.contain('SUPERSECRET99');
    for (const file of filesUnder(home)) {
      expect(fs.readFileSync(file, 'latin1'), file).to.not.contain('SUPERSECRET99');
    }
  });

  it('reuses a worker process across tries', async () => {
    const first = await run(['quick']);
    const second = await run(['quick']);
    const pidOf = (r: typeof first) =>
      (r.tasks.find((t) => t.taskId === 'quick')!.output as { pid: number }).pid;
    expect(pidOf(second)).to.equal(pidOf(first));
    expect(pidOf(first)).to.not.equal(process.pid);
  });
});
