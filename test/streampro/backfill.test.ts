import fs from 'node:fs';
import { expect } from 'chai';
import type { Report } from '../../dags/lib/analytics/report.js';
import { PipelineSandbox } from './support/sandbox.js';

const DATES = ['2025-09-09', '2025-09-10', '2025-09-11', '2025-09-12'];

interface BackfillJson {
  readonly dagId: string;
  readonly results: readonly { logicalDate: string; action: string; state: string; runId: string }[];
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
}

interface RunSummary {
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: string;
  readonly runType: string;
  readonly state: string;
}

describe('streampro e2e: backfill of the four sample days', function () {
  this.timeout(90_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  it('runs every date successfully and triggers the analytics report of each date', async () => {
    const result = await sb.dag([
      'backfill',
      'streampro',
      '--start',
      DATES[0]!,
      '--end',
      DATES.at(-1)!,
      '--json',
    ]);
    expect(result.code, result.stderr).to.equal(0);
    const backfill = JSON.parse(result.stdout) as BackfillJson;
    expect(backfill).to.include({ dagId: 'streampro', succeeded: DATES.length, failed: 0, skipped: 0 });
    expect(backfill.results.map((r) => [r.logicalDate, r.action, r.state])).to.deep.equal(
      DATES.map((d) => [d, 'run', 'success']),
    );

    const runs = await sb.dag(['runs', 'analytics', '--json']);
    expect(runs.code, runs.stderr).to.equal(0);
    const analytics = (JSON.parse(runs.stdout) as RunSummary[])
      .map((r) => [r.logicalDate, r.runType, r.state])
      .sort();
    expect(analytics).to.deep.equal(DATES.map((d) => [d, 'asset_triggered', 'success']));

    for (const date of DATES) {
      const report = JSON.parse(
        fs.readFileSync(sb.lakePath(`analytics/report_date=${date}/report.json`), 'utf8'),
      ) as Report;
      expect(report.reportDate).to.equal(date);
      // Each report sees the trusted partitions up to its own date at least.
      expect(report.partitionsRead.events, `events read by ${date}`).to.include(date);
    }
  });
});
