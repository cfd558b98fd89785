import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DATE, landingFile, PipelineSandbox, task } from './support/sandbox.js';

describe('streampro e2e: a delivery without an optional column', function () {
  this.timeout(90_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  it('loads it, then fails the quality step naming the column, and triggers no report', async () => {
    const dataDir = sb.copySampleDay(DATE);
    // users without its optional `country` (the third field of every line).
    const users = path.join(dataDir, landingFile('users', DATE));
    const lines = fs.readFileSync(users, 'utf8').split('\n');
    fs.writeFileSync(
      users,
      lines
        .map((line) =>
          line
            .split(',')
            .filter((_, i) => i !== 2)
            .join(','),
        )
        .join('\n'),
    );

    const result = await sb.dag(['run', 'streampro', '--date', DATE], { STREAMPRO_DATA_DIR: dataDir });
    expect(result.code, result.stderr).to.equal(1);
    const run = await sb.status('streampro', DATE);
    expect(task(run, 'users.trusted').state).to.equal('success');
    const quality = task(run, 'quality');
    expect(quality.state).to.equal('failed');
    expect(quality.error).to.contain('users: the delivery has no column country');
    expect(quality.error).to.not.match(/(videos|devices|events): the delivery has no column/);
    expect(fs.existsSync(sb.lakePath(`analytics/report_date=${DATE}/report.json`))).to.equal(false);
  });
});
