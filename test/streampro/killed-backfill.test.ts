import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { BIN, PipelineSandbox, REPO } from './support/sandbox.js';

const DATES = ['2025-09-09', '2025-09-10'];

interface RunSummary {
  readonly logicalDate: string;
  readonly runType: string;
  readonly state: string;
}

describe('streampro e2e: a backfill killed while an asset-triggered run executes', function () {
  this.timeout(120_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  it('kill -9 during the analytics run of the first date: the same backfill again finishes it, a report for every date', async () => {
    const args = ['backfill', 'streampro', '--start', DATES[0]!, '--end', DATES[1]!];
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: sb.env(), stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    // The worker writes the try's first line into the run's log segment as the analytics body starts.
    const runLog = path.join(
      sb.home,
      'logs',
      'dag_id=analytics',
      `run_id=asset_triggered__${DATES[0]}`,
      'tries.log',
    );
    const started = (): boolean =>
      fs.existsSync(runLog) && fs.readFileSync(runLog, 'utf8').includes('"taskId":"report"');
    const deadline = Date.now() + 90_000;
    while (!started()) {
      if (Date.now() > deadline) throw new Error('the analytics run never started');
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    expect(await exited).to.equal('SIGKILL');

    const before = await sb.dag(['runs', 'analytics', '--json']);
    const left = (JSON.parse(before.stdout) as RunSummary[]).find((r) => r.logicalDate.startsWith(DATES[0]!));
    // The kill left it unfinished: it has no final state, whatever its body did before the kill.
    expect(left?.state).to.be.oneOf(['running', 'queued']);

    const again = await sb.dag([...args, '--json']);
    expect(again.code, again.stderr).to.equal(0);
    const runs = await sb.dag(['runs', 'analytics', '--json']);
    const analytics = (JSON.parse(runs.stdout) as RunSummary[])
      .map((r) => [r.logicalDate.slice(0, 10), r.runType, r.state])
      .sort();
    expect(analytics).to.deep.equal(DATES.map((d) => [d, 'asset_triggered', 'success']));
    for (const date of DATES) {
      expect(fs.existsSync(sb.lakePath(`analytics/report_date=${date}/report.json`)), date).to.equal(true);
    }
  });
});
