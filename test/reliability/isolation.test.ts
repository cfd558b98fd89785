import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import { collect, type Result, taskStates, withEngine } from '../cli/helpers.js';
import { crashy, overrun, SECRET_TOKEN, secretive, stubborn } from './fixtures/dags/isolated.js';
import { FaultSandbox, running, waitFor } from './support/harness.js';

const DATE = '2025-01-10';
const RUN_ID = `manual__${DATE}`;
const GRACE_MS = 1000;

/** A `dag` process being watched: its result, the moment it exited, and its stderr so far. */
interface Launched {
  readonly child: ChildProcess;
  readonly done: Promise<Result>;
  /** `performance.now()` when the process exited. */
  readonly exitedAt: Promise<number>;
  stderr(): string;
}

function launch(sb: FaultSandbox, ...args: string[]): Launched {
  const child = sb.start(...args);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exitedAt = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  return { child, done: collect(child), exitedAt, stderr: () => stderr };
}

/**
 * `[pid, epoch ms]` of a marker a fixture task wrote (see fixtures/dags/isolated.ts), once it exists; fails
 * at once, showing its stderr, when `dag` exits before.
 */
async function marker(sb: FaultSandbox, name: string, dag: Launched): Promise<[number, number]> {
  await waitFor(() => fs.existsSync(sb.fx(name)) || dag.child.exitCode !== null, name);
  if (!fs.existsSync(sb.fx(name))) {
    throw new Error(`dag exited with ${dag.child.exitCode} before ${name}:\n${dag.stderr()}`);
  }
  const [pid, at] = fs.readFileSync(sb.fx(name), 'utf8').split(' ').map(Number);
  return [pid!, at!];
}

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('reliability: each try isolated in its worker process', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  beforeEach(() => {
    sb = new FaultSandbox();
    sb.extraEnv = { STREAMPRO_KILL_GRACE_MS: String(GRACE_MS) };
  });
  afterEach(() => sb.cleanup());

  it('Ctrl-C with a task that ignores its abort signal: exit 130 within grace + 1 s, worker gone, try interrupted, resume succeeds', async () => {
    const dag = launch(sb, 'run', 'stubborn', '--date', DATE);
    const [workerPid] = await marker(sb, 'ignore_abort-1.started', dag);

    const signalledAt = performance.now();
    dag.child.kill('SIGINT');
    const exitedAt = await dag.exitedAt;
    const r = await dag.done;
    expect(r.code, r.stderr).to.equal(130);
    expect(exitedAt - signalledAt, 'ms from SIGINT to exit').to.be.at.most(GRACE_MS + 1000);
    expect(running(workerPid), `worker ${workerPid} still running`).to.equal(false);
    expect(fs.existsSync(sb.fx('ignore_abort-1.ended')), 'the body ran to its end').to.equal(false);

    const [run] = await withEngine(sb.home, (e) => e.listRuns(stubborn.id));
    expect(run).to.include({ state: 'queued', lease: null });
    const tries = await withEngine(sb.home, (e) => e.tries(stubborn.id, RUN_ID, 'ignore_abort'));
    expect(tries).to.have.length(1);
    expect(tries[0]).to.include({
      tryNumber: 1,
      state: 'failed',
      errorName: 'TaskInterruptedError',
      errorMessage: 'run interrupted (cancelled)',
      pid: workerPid,
    });

    const again = await sb.dag('run', 'stubborn', '--date', DATE);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stderr).to.not.match(/being executed by|zombie/);
    expect(await taskStates(sb.home, stubborn, DATE)).to.deep.equal({ ignore_abort: ['success', 2] });
    expect(Object.fromEntries(sb.executions())).to.deep.equal({ [`${DATE} ignore_abort`]: 2 });
  });

  it('a busy loop past its executionTimeout: `dag run` exits 1 at deadline + grace, TaskTimeoutError, its process killed', async () => {
    const timeoutMs = overrun.getTask('busy')!.options.executionTimeout!;
    const dag = launch(sb, 'run', 'overrun', '--date', DATE);
    const [workerPid, bodyStartedAt] = await marker(sb, 'busy.started', dag);
    // The body's own clock mark, turned into this process's clock: the deadline timer started before it.
    const startedAt = performance.now() - (Date.now() - bodyStartedAt);
    const exitedAt = await dag.exitedAt;
    const r = await dag.done;
    expect(r.code, r.stderr).to.equal(1);
    expect(exitedAt - startedAt, 'ms from body start to exit').to.be.at.most(timeoutMs + GRACE_MS + 1000);
    expect(running(workerPid), `worker ${workerPid} still running`).to.equal(false);
    expect(fs.existsSync(sb.fx('busy.ended')), 'the body ran to its end').to.equal(false);

    const [attempt, ...more] = await withEngine(sb.home, (e) => e.tries(overrun.id, RUN_ID, 'busy'));
    expect(more).to.deep.equal([]);
    expect(attempt).to.include({
      tryNumber: 1,
      state: 'failed',
      errorName: 'TaskTimeoutError',
      errorMessage: `task exceeded its execution timeout of ${timeoutMs} ms`,
    });
    // Recorded at the deadline, not when the process was finally killed a grace period later.
    expect(attempt?.durationMs).to.be.within(timeoutMs, timeoutMs + GRACE_MS - 1);
    expect(await taskStates(sb.home, overrun, DATE)).to.deep.equal({ busy: ['failed', 1] });
    const messages = sb.tryLines(overrun.id, RUN_ID, 'busy', 1).map((l) => l.message);
    expect(messages).to.include(`try failed: task exceeded its execution timeout of ${timeoutMs} ms`);
  });

  it('a secret printed every way, before and after the deadline, is on no terminal and in no file; the log has it masked', async () => {
    const dag = launch(sb, 'run', 'secretive', '--date', DATE);
    const r = await dag.done;
    expect(r.code, r.stderr).to.equal(1);
    // The body got to its last timer, after the deadline: the late lines were really printed.
    await marker(sb, 'talkative.settled', dag);

    expect(r.stdout).to.not.contain(SECRET_TOKEN);
    expect(r.stderr).to.not.contain(SECRET_TOKEN);
    const files = filesUnder(sb.home);
    const logFile = sb.logFile(secretive.id, RUN_ID);
    expect(files).to.include.members([path.join(sb.home, 'state.db'), logFile]);
    // The compiled copy of the DAG file (the CLI's cache) holds what the DAG file itself holds: this fixture
    // writes the secret as a param default in its source. Nothing the run wrote may contain it.
    const compiled = path.join(sb.home, 'cache', 'dags') + path.sep;
    expect(files.some((f) => f.startsWith(compiled))).to.equal(true);
    for (const file of files.filter((f) => !f.startsWith(compiled))) {
      expect(fs.readFileSync(file).includes(SECRET_TOKEN), `${file} contains the secret`).to.equal(false);
    }

    const [attempt] = await withEngine(sb.home, (e) => e.tries(secretive.id, RUN_ID, 'talkative'));
    expect(attempt).to.include({ state: 'failed', errorName: 'TaskTimeoutError' });
    const messages = sb.tryLines(secretive.id, RUN_ID, 'talkative', 1).map((l) => l.message);
    for (const phase of ['before', 'abort', 'late']) {
      for (const channel of ['console.log', 'console.error', 'stdout.write', 'ctx.log']) {
        expect(messages, `${phase} ${channel}`).to.include(`${phase} ${channel} token=***`);
      }
    }
  });

  it('a worker killed with SIGKILL from outside fails only its try, which is retried; a parallel task runs once', async () => {
    sb.extraEnv.STREAMPRO_WORKERS = '2';
    const dag = launch(sb, 'run', 'crashy', '--date', DATE);
    const [victimPid] = await marker(sb, 'victim-1.started', dag);
    const [bystanderPid] = await marker(sb, 'bystander-1.started', dag);

    process.kill(victimPid, 'SIGKILL');
    await marker(sb, 'victim-2.started', dag);
    expect(running(bystanderPid), 'the bystander kept running').to.equal(true);
    fs.writeFileSync(sb.fx('victim.killed'), '');
    const r = await dag.done;
    expect(r.code, r.stderr).to.equal(0);

    const victim = await withEngine(sb.home, (e) => e.tries(crashy.id, RUN_ID, 'victim'));
    // A try's state is the state it left its task in: try 1 sent the victim up for retry.
    expect(victim.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
      [1, 'up_for_retry', 'WorkerCrashedError'],
      [2, 'success', null],
    ]);
    expect(victim[0]?.errorMessage).to.equal(
      `worker process ${victimPid} was killed by SIGKILL while it ran the try`,
    );
    const bystander = await withEngine(sb.home, (e) => e.tries(crashy.id, RUN_ID, 'bystander'));
    expect(bystander.map((t) => [t.tryNumber, t.state, t.pid])).to.deep.equal([[1, 'success', bystanderPid]]);
    const run = await withEngine(sb.home, (e) => e.status(crashy, DATE));
    expect(run?.tasks.find((t) => t.taskId === 'bystander')?.output, 'ran in one process').to.equal(
      bystanderPid,
    );
    expect(await taskStates(sb.home, crashy, DATE)).to.deep.equal({
      victim: ['success', 2],
      bystander: ['success', 1],
    });
    expect(Object.fromEntries(sb.executions())).to.deep.equal({
      [`${DATE} victim`]: 2,
      [`${DATE} bystander`]: 1,
    });
  });
});
