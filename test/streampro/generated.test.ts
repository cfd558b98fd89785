import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { expectDirtAccountedFor } from './support/dirt.js';
import { PipelineSandbox, spawnAndCollect } from './support/sandbox.js';

const DATE = '2025-10-01';

describe('streampro e2e: freshly generated data', function () {
  this.timeout(90_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  it('runs on the generator output of another seed and dates: generator and pipeline agree on the contract', async () => {
    const out = path.join(sb.root, 'generated');
    const generate = await spawnAndCollect(
      'npm',
      [
        'run',
        '--silent',
        'generate',
        '--',
        '--start',
        DATE,
        '--end',
        '2025-10-02',
        '--seed',
        '7',
        '--out',
        out,
      ],
      sb.env(),
    );
    expect(generate.code, generate.stderr).to.equal(0);

    const before = fs.readdirSync(out).sort();
    const result = await sb.dag(['run', 'streampro', '--date', DATE], { STREAMPRO_DATA_DIR: out });
    expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
    // The data folder is input only: the run wrote nothing into it (no temp folder either).
    expect(fs.readdirSync(out).sort()).to.deep.equal(before);
    const run = await sb.status('streampro', DATE);
    expect(run.state).to.equal('success');
    // The dirt of another seed lands on other lines: the quarantine must follow the manifest there too.
    await expectDirtAccountedFor(sb, out, DATE, run);
  });
});
