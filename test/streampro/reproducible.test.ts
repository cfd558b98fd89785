import fs from 'node:fs';
import { expect } from 'chai';
import type { Report } from '../../dags/lib/analytics/report.js';
import { PipelineSandbox, task } from './support/sandbox.js';

const DATES = ['2025-09-09', '2025-09-10', '2025-09-11', '2025-09-12'];

/**
 * Issue 16's reproducibility promise: the report of D is a function of the partitions its windows declare,
 * recomputed when one of them lands or is re-processed, whatever order and however often things run.
 */
describe('streampro e2e: reports are a function of their declared partitions', function () {
  this.timeout(300_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  const reportBytes = (date: string): Buffer =>
    fs.readFileSync(sb.lakePath(`analytics/report_date=${date}/report.json`));
  const report = (date: string): Report => JSON.parse(reportBytes(date).toString('utf8')) as Report;
  const ok = async (args: readonly string[]): Promise<void> => {
    const result = await sb.dag(args);
    expect(result.code, `dag ${args.join(' ')}\n${result.stderr}`).to.equal(0);
  };

  it('backfill, then --reprocess all, then a forced run give the same 09-09 report; it turns final with 09-13', async () => {
    await ok(['backfill', 'streampro', '--start', DATES[0]!, '--end', DATES[3]!, '--quiet']);
    const afterBackfill = reportBytes('2025-09-09');
    // Each later day's partition refreshed the 09-09 report: made by 09-09, then run again by 09-10 … 09-12.
    const tries = task(await sb.status('analytics', '2025-09-09'), 'report').tryNumber;
    expect(tries).to.equal(4);
    expect(report('2025-09-09').partitionsRead.events).to.deep.equal(DATES);

    await ok([
      'backfill',
      'streampro',
      '--start',
      DATES[0]!,
      '--end',
      DATES[3]!,
      '--reprocess',
      'all',
      '--quiet',
    ]);
    const afterReprocess = reportBytes('2025-09-09');
    expect(task(await sb.status('analytics', '2025-09-09'), 'report').tryNumber).to.be.greaterThan(tries);

    await ok(['run', 'analytics', '--date', '2025-09-09', '--force', '--quiet']);
    const afterForce = reportBytes('2025-09-09');
    expect(afterReprocess.equals(afterBackfill), 'after --reprocess all').to.equal(true);
    expect(afterForce.equals(afterBackfill), 'after run --force').to.equal(true);

    const first = report('2025-09-09');
    expect(first.status).to.equal('provisional');
    expect(first.partitionsMissing.events).to.deep.equal(['2025-09-13']);
    const last = report('2025-09-12');
    expect(last.status).to.equal('provisional');
    expect(last.partitionsRead.events).to.deep.equal(['2025-09-12']);
    expect(last.partitionsMissing.events).to.deep.equal([
      '2025-09-13',
      '2025-09-14',
      '2025-09-15',
      '2025-09-16',
    ]);

    // The last partition its windows need lands: the 09-09 report is recomputed and final.
    await ok(['run', 'streampro', '--date', '2025-09-13', '--quiet']);
    const final = report('2025-09-09');
    expect([final.status, final.q2.windowComplete]).to.deep.equal(['final', true]);
    expect(final.partitionsRead.events).to.deep.equal([...DATES, '2025-09-13']);
    expect(final.partitionsMissing).to.deep.equal({ users: [], videos: [], devices: [], events: [] });
  });
});
