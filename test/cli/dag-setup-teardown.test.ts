import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { cluster } from './fixtures/setup-teardown-dags/cluster.js';
import { Sandbox, taskStates } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATE = '2025-01-01';

describe('dag CLI: setup and teardown tasks (e2e)', function () {
  this.timeout(30_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/setup-teardown-dags');
  });
  afterEach(() => sb.cleanup());

  const ran = (): string[] =>
    fs
      .readFileSync(sb.fx(`ran-${DATE}.txt`), 'utf8')
      .trim()
      .split('\n');

  it('runs the teardown after a failed query; dag clear of the query re-runs the setup and the teardown', async () => {
    fs.writeFileSync(sb.fx('fail-query'), '');
    const failed = await sb.dag('run', 'cluster', '--date', DATE);
    expect(failed.code, failed.stderr).to.equal(1);
    expect(failed.stdout).to.contain(`cluster ${DATE} (manual__${DATE}): failed`);
    expect(ran()).to.deep.equal(['create_cluster', 'query', 'delete_cluster']);
    expect(await taskStates(sb.home, cluster, DATE)).to.deep.equal({
      create_cluster: ['success', 1],
      query: ['failed', 1],
      report: ['upstream_failed', 0],
      delete_cluster: ['success', 1],
    });

    fs.rmSync(sb.fx('fail-query'));
    fs.rmSync(sb.fx(`ran-${DATE}.txt`));
    const cleared = await sb.dag('clear', 'cluster', '--date', DATE, '--task', 'query', '--yes');
    expect(cleared.code, cleared.stderr).to.equal(0);
    expect(cleared.stdout).to.contain(`will clear 3 task instance(s) of cluster ${DATE}`);
    expect(cleared.stdout).to.match(/create_cluster +│ success/);
    expect(cleared.stdout).to.match(/query +│ failed/);
    expect(cleared.stdout).to.match(/delete_cluster +│ success/);

    const again = await sb.dag('run', 'cluster', '--date', DATE);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain(`cluster ${DATE} (manual__${DATE}): success`);
    const order = ran();
    expect(order.slice(0, 2)).to.deep.equal(['create_cluster', 'query']);
    expect(order.slice(2).sort()).to.deep.equal(['delete_cluster', 'report']);
    expect(await taskStates(sb.home, cluster, DATE)).to.deep.equal({
      create_cluster: ['success', 2],
      query: ['success', 2],
      report: ['success', 1],
      delete_cluster: ['success', 2],
    });
  });
});
