import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { collect, taskStates, withEngine } from '../cli/helpers.js';
import { handover } from './fixtures/dags/handover.js';
import { FaultSandbox, running, waitFor } from './support/harness.js';

const DATE = '2025-01-10';
const RUN_ID = `manual__${DATE}`;
const TTL_MS = 3000;

interface Beat {
  readonly tryNumber: number;
  readonly pid: number;
  readonly at: number;
}

/** The lines t2's body appended to `heartbeat.log`, one every 100 ms while it ran. */
function beats(sb: FaultSandbox): Beat[] {
  const file = sb.fx('heartbeat.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [tryNumber, pid, at] = l.split(' ').map(Number);
      return { tryNumber: tryNumber!, pid: pid!, at: at! };
    });
}

/**
 * Everything an owner of the run writes, read from state.db directly (read-only, so the test itself takes no
 * lock): the run without its lease heartbeat (the holder renews that while idle), task instances, tries,
 * asset events.
 */
function ownerRows(home: string): unknown {
  const db = new Database(path.join(home, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    return {
      runs: db
        .prepare(
          'SELECT dag_id, run_id, state, params, started_at, ended_at, lease_owner, lease_pid, lease_epoch FROM dag_runs',
        )
        .all(),
      instances: db.prepare('SELECT * FROM task_instances ORDER BY task_id').all(),
      tries: db.prepare('SELECT * FROM task_tries ORDER BY task_id, try_number').all(),
      assets: db.prepare('SELECT * FROM asset_events ORDER BY created_at').all(),
    };
  } finally {
    db.close();
  }
}

/** State of one try as stored, or undefined before its row exists. */
function tryState(home: string, taskId: string, tryNumber: number): string | undefined {
  if (!fs.existsSync(path.join(home, 'state.db'))) return undefined;
  const db = new Database(path.join(home, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT state FROM task_tries WHERE run_id = ? AND task_id = ? AND try_number = ?')
      .get(RUN_ID, taskId, tryNumber) as { state: string } | undefined;
    return row?.state;
  } finally {
    db.close();
  }
}

/** `"<task> <try>" -> pid` of every executed body, from executions.log; throws on a (task, try) seen twice. */
function executedBodies(sb: FaultSandbox): Map<string, number> {
  const bodies = new Map<string, number>();
  const file = sb.fx('executions.log');
  if (!fs.existsSync(file)) return bodies;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const [, task, tryNumber, pid] = line.split(' ');
    const key = `${task} ${tryNumber}`;
    if (bodies.has(key)) throw new Error(`the body of ${key} started twice`);
    bodies.set(key, Number(pid));
  }
  return bodies;
}

describe('reliability: a stopped owner is taken over', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    sb = new FaultSandbox();
    sb.extraEnv = { STREAMPRO_LEASE_TTL_MS: String(TTL_MS) };
  });
  afterEach(async () => {
    // A failed assertion must not leave a stopped `dag` (and its workers) behind.
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await gone;
    }
    sb.cleanup();
  });

  const bodies = [
    { body: 'honours its abort signal', deaf: false },
    // On owner silence the worker exits at once: a body deaf to its signal gets no grace period.
    { body: 'ignores its abort signal', deaf: true },
  ];
  for (const { body, deaf } of bodies) {
    it(`SIGSTOP past the lease, a body that ${body}: the worker stops it, a second \`dag run\` takes over, the resumed owner exits 1 writing nothing`, async () => {
      if (deaf) fs.writeFileSync(sb.fx('deaf-t2'), '');
      sb.hold('t2');
      sb.hold('t3');
      const a = sb.start('run', 'handover', '--date', DATE);
      children.push(a);
      let aStderr = '';
      a.stderr?.on('data', (d: Buffer) => {
        aStderr += d.toString();
      });
      const aDone = collect(a);
      await sb.reached('t2');
      // The try is on record as running (what a takeover must find) and its body is beating.
      await waitFor(() => tryState(sb.home, 't2', 1) === 'running', 't2 try 1 recorded running');
      await waitFor(() => beats(sb).length >= 3, 't2 heartbeats');
      const workerA = Number(fs.readFileSync(sb.fx('at-t2'), 'utf8'));

      a.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await sleep(TTL_MS);
      const beatsAfterTtl = beats(sb).length;
      await sleep(1000);

      // The body stopped by itself, its owner being silent: no line in the last second, none later than
      // half the TTL (the worker's silence limit) plus a second after the STOP, and its process is gone.
      const beforeB = beats(sb);
      expect(beforeB.length, 'a heartbeat line in the last second before B starts').to.equal(beatsAfterTtl);
      expect(new Set(beforeB.map((b) => `${b.tryNumber} ${b.pid}`))).to.deep.equal(new Set([`1 ${workerA}`]));
      const lastBeat = beforeB.at(-1)!.at;
      expect(lastBeat - stoppedAt, 'last heartbeat, ms after SIGSTOP').to.be.at.most(TTL_MS / 2 + 1000);
      expect(running(workerA), `A's worker ${workerA} still running`).to.equal(false);

      // B's try 2 passes t2 at once; a body of try 1 still running would go on beating.
      fs.rmSync(sb.fx('hold-t2'));
      const b = sb.start('run', 'handover', '--date', DATE);
      children.push(b);
      const bDone = collect(b);
      await sb.reached('t3');
      await waitFor(() => tryState(sb.home, 't3', 1) === 'running', 't3 try 1 recorded running');

      // B now holds the run and, parked at t3's gate, writes nothing but its lease heartbeat.
      const rowsBefore = ownerRows(sb.home);
      const bodiesBefore = executedBodies(sb);
      const stderrBefore = aStderr.length;
      a.kill('SIGCONT');
      const ra = await aDone;
      expect(ra.code, ra.stderr).to.equal(1);
      expect(aStderr.slice(stderrBefore)).to.equal(
        `dag: lease of run handover/${RUN_ID} was lost (epoch 1): ` +
          `now held by process ${b.pid} on ${os.hostname()} (epoch 2)\n`,
      );
      expect(ownerRows(sb.home), 'rows after A resumed').to.deep.equal(rowsBefore);
      expect(executedBodies(sb), 'bodies started after A resumed').to.deep.equal(bodiesBefore);
      expect(beats(sb)).to.deep.equal(beforeB);

      sb.open('t3');
      const rb = await bDone;
      expect(rb.code, rb.stderr).to.equal(0);
      expect(rb.stderr).to.not.match(/being executed by|lease/);
      expect(await taskStates(sb.home, handover, DATE)).to.deep.equal({
        t1: ['success', 1],
        t2: ['success', 2],
        t3: ['success', 1],
      });

      // Each body started once, in the process its try was recorded in; A ran t1 and t2#1, B the rest.
      const bodies = executedBodies(sb);
      expect([...bodies.keys()].sort()).to.deep.equal(['t1 1', 't2 1', 't2 2', 't3 1']);
      const tries = await withEngine(sb.home, (e) => e.tries(handover.id, RUN_ID));
      for (const t of tries) expect(bodies.get(`${t.taskId} ${t.tryNumber}`), t.taskId).to.equal(t.pid);
      expect(bodies.get('t2 1')).to.equal(workerA);
      expect(bodies.get('t2 2')).to.not.equal(workerA);
      const zombie = tries.find((t) => t.taskId === 't2' && t.tryNumber === 1);
      expect(zombie).to.include({ state: 'failed', errorName: 'TaskInterruptedError' });
      expect(zombie?.errorMessage).to.equal(
        `try 1 was left running by process ${workerA} on ${os.hostname()}, which is gone (zombie)`,
      );
      const [run] = await withEngine(sb.home, (e) => e.listRuns(handover.id));
      expect(run).to.include({ state: 'success', lease: null });
    });
  }

  // A worker whose owner died exits at once, even under a body deaf to its signal: the next `dag run` on this
  // host takes the dead owner's run over at once.
  it('kill -9 of the owner, a body that ignores its abort signal: its worker stops it before the next `dag run` starts the try again', async () => {
    fs.writeFileSync(sb.fx('deaf-t2'), '');
    sb.hold('t2');
    const a = sb.start('run', 'handover', '--date', DATE);
    children.push(a);
    const aDone = collect(a);
    await sb.reached('t2');
    await waitFor(() => tryState(sb.home, 't2', 1) === 'running', 't2 try 1 recorded running');
    await waitFor(() => beats(sb).length >= 3, 't2 heartbeats');
    a.kill('SIGKILL');
    await aDone;

    fs.rmSync(sb.fx('hold-t2'));
    const rb = await sb.dag('run', 'handover', '--date', DATE);
    expect(rb.code, rb.stderr).to.equal(0);
    const tries = await withEngine(sb.home, (e) => e.tries(handover.id, RUN_ID, 't2'));
    expect(tries.map((t) => [t.tryNumber, t.state])).to.deep.equal([
      [1, 'failed'],
      [2, 'success'],
    ]);
    // Try 2 is recorded started before its body runs: a try-1 line after that is two bodies at once.
    const lastBeat = beats(sb).at(-1)!;
    expect(lastBeat.tryNumber).to.equal(1);
    expect(lastBeat.at, 'last heartbeat of try 1').to.be.lessThan(Date.parse(tries[1]!.startedAt));
    expect(running(lastBeat.pid), `worker ${lastBeat.pid} still running`).to.equal(false);
  });
});
