import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { collect, taskStates, waitForStderr, withEngine } from '../cli/helpers.js';
import { keys, LINES, lakeflow } from './fixtures/dags/lakeflow.js';
import {
  assertLakeComplete,
  FaultSandbox,
  killHard,
  tempObjects,
  visibleObjects,
  waitFor,
} from './support/harness.js';

const DATE = '2025-01-10';
const RUN_ID = `manual__${DATE}`;
const K = keys(DATE);

/** Waits until the local store's temp folder holds a non-empty file: a write is half done. */
async function halfWritten(lake: string): Promise<void> {
  await waitFor(
    () => tempObjects(lake).some((f) => fs.statSync(path.join(lake, '.streampro-tmp', f)).size > 0),
    'a partial temp file',
  );
}

describe('reliability: kill -9 anywhere, then resume', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  beforeEach(() => {
    sb = new FaultSandbox();
  });
  afterEach(() => sb.cleanup());

  async function resumeAndCheck(): Promise<void> {
    sb.resetGates();
    const again = await sb.dag('run', 'lakeflow', '--date', DATE);
    expect(again.code, again.stderr).to.equal(0);
    const objects = assertLakeComplete(sb.lake);
    expect(objects).to.include.members([K.landing, K.raw, K.trusted, K.report]);
    const landing = fs.readFileSync(path.join(sb.lake, K.landing), 'utf8');
    expect(landing.split('\n').filter(Boolean)).to.have.length(LINES);
  }

  /** The try the kill interrupted: failed as a zombie, its log complete JSON lines up to the kill. */
  async function expectZombie(taskId: string, tryNumber: number): Promise<void> {
    const tries = await withEngine(sb.home, (e) => e.tries(lakeflow.id, RUN_ID, taskId));
    const killed = tries.find((t) => t.tryNumber === tryNumber);
    expect(killed).to.include({ state: 'failed', errorName: 'TaskInterruptedError' });
    expect(killed?.errorMessage).to.match(/zombie/);
    const lines = sb.tryLines(lakeflow.id, RUN_ID, taskId, tryNumber);
    expect(lines[0]?.message).to.match(new RegExp(`starting try ${tryNumber}`));
  }

  it('during an object write: nothing partial is visible, the task runs again, the rest once', async () => {
    sb.hold('land-mid');
    const child = sb.start('run', 'lakeflow', '--date', DATE);
    const exited = collect(child);
    await sb.reached('land-mid');
    await halfWritten(sb.lake);
    await killHard(child);
    await exited;

    // Half the landing file exists on disk (in the temp folder), none of it under its key.
    expect(visibleObjects(sb.lake)).to.deep.equal([]);

    await resumeAndCheck();
    expect(await taskStates(sb.home, lakeflow, DATE)).to.deep.equal({
      land: ['success', 2],
      raw: ['success', 1],
      trusted: ['success', 1],
      report: ['success', 1],
    });
    await expectZombie('land', 1);
    expect(Object.fromEntries(sb.executions())).to.deep.equal({
      [`${DATE} land`]: 2,
      [`${DATE} raw`]: 1,
      [`${DATE} trusted`]: 1,
      [`${DATE} report`]: 1,
    });
  });

  it('between tasks: the task that succeeded keeps try 1 and is not executed again', async () => {
    const child = sb.start('run', 'lakeflow', '--date', DATE);
    const exited = collect(child);
    await waitForStderr(child, ' land success', 30_000);
    await killHard(child);
    await exited;
    const before = await withEngine(sb.home, (e) => e.listRuns(lakeflow.id));
    expect(before[0]?.state, 'killed before the run finished').to.equal('running');
    assertLakeComplete(sb.lake);

    await resumeAndCheck();
    const states = await taskStates(sb.home, lakeflow, DATE);
    expect(states.land).to.deep.equal(['success', 1]);
    expect(sb.executions().get(`${DATE} land`)).to.equal(1);
    for (const task of ['raw', 'trusted', 'report']) {
      expect(states[task]?.[0]).to.equal('success');
      // A task the kill caught after it was queued (its try number is taken then) runs under the next
      // try number; it never runs more often than it has tries, and at most twice.
      const runs = sb.executions().get(`${DATE} ${task}`) ?? 0;
      expect(runs).to.be.within(1, 2);
      expect(runs).to.be.at.most(states[task]?.[1] ?? 0);
    }
  });

  it('during the Parquet publish: no torn Parquet file is visible; only that task runs again', async () => {
    sb.hold('trusted-publish');
    const child = sb.start('run', 'lakeflow', '--date', DATE);
    const exited = collect(child);
    await sb.reached('trusted-publish');
    await halfWritten(sb.lake);
    await killHard(child);
    await exited;

    const visible = assertLakeComplete(sb.lake);
    expect(visible).to.include.members([K.landing, K.raw]);
    expect(visible).to.not.include(K.trusted);

    await resumeAndCheck();
    expect(await taskStates(sb.home, lakeflow, DATE)).to.deep.equal({
      land: ['success', 1],
      raw: ['success', 1],
      trusted: ['success', 2],
      report: ['success', 1],
    });
    await expectZombie('trusted', 1);
    expect(sb.executions().get(`${DATE} land`)).to.equal(1);
    expect(sb.executions().get(`${DATE} trusted`)).to.equal(2);
  });
});
