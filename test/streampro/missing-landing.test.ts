import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DATA, DATE, lakeKeys, landingFile, PipelineSandbox, task } from './support/sandbox.js';

describe('streampro e2e: a missing landing file', function () {
  this.timeout(60_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  it('fails only the events chain, naming the expected file and folder, and writes nothing of events to raw', async () => {
    const dataDir = path.join(sb.root, 'landing-data');
    fs.mkdirSync(dataDir);
    for (const dataset of ['users', 'videos', 'devices'] as const) {
      fs.copyFileSync(
        path.join(DATA, landingFile(dataset, DATE)),
        path.join(dataDir, landingFile(dataset, DATE)),
      );
    }

    const result = await sb.dag(['run', 'streampro', '--date', DATE], { STREAMPRO_DATA_DIR: dataDir });
    expect(result.code, result.stderr).to.equal(1);
    const run = await sb.status('streampro', DATE);
    expect(run.state).to.equal('failed');

    const land = task(run, 'events.land');
    expect(land.state).to.equal('failed');
    // Not retryable: a missing file does not appear by waiting, so there is one try only.
    expect(land.tryNumber).to.equal(1);
    expect(land.error).to.contain(
      `landing file ${landingFile('events', DATE)} not found in data folder ${dataDir}`,
    );
    expect(result.stdout).to.contain(`failed events.land: landing file ${landingFile('events', DATE)}`);

    const states = Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));
    expect(states).to.deep.equal({
      'users.land': 'success',
      'videos.land': 'success',
      'devices.land': 'success',
      'events.land': 'failed',
      'users.raw': 'success',
      'videos.raw': 'success',
      'devices.raw': 'success',
      'events.raw': 'upstream_failed',
      'users.trusted': 'success',
      'videos.trusted': 'success',
      'devices.trusted': 'success',
      'events.trusted': 'upstream_failed',
      quality: 'upstream_failed',
    });
    expect(fs.existsSync(sb.lakePath(lakeKeys('users', DATE).raw))).to.equal(true);
    expect(fs.existsSync(sb.lakePath('raw/events')), 'raw/events').to.equal(false);
    expect(fs.existsSync(sb.lakePath('landing/events')), 'landing/events').to.equal(false);

    // analytics waits for all four trusted assets; three updated must not trigger it.
    const runs = await sb.dag(['runs', 'analytics', '--json']);
    expect(runs.code, runs.stderr).to.equal(0);
    expect(JSON.parse(runs.stdout)).to.deep.equal([]);
  });
});
