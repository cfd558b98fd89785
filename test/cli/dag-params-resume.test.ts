import fs from 'node:fs';
import { expect } from 'chai';
import { quick } from './fixtures/dags/quick.js';
import { Sandbox, withEngine } from './helpers.js';

const DATE = '2025-09-09';

describe('dag CLI: params of a resumed run (e2e)', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  const out = () => fs.readFileSync(sb.fx(`out/quick-${DATE}.txt`), 'utf8');
  const recorded = () =>
    withEngine(
      sb.home,
      async (e) => (await e.store.findRunByLogicalDate('quick', `${DATE}T00:00:00.000Z`))?.params,
    );

  async function ok(...args: string[]): Promise<void> {
    const r = await sb.dag(...args);
    expect(r.code, `dag ${args.join(' ')}: ${r.stderr}`).to.equal(0);
  }

  it('dag clear + dag run re-runs the task with the --param the run started with; a new --param replaces it', async () => {
    await ok('run', 'quick', '--date', DATE, '--param', 'repeat=7', '--no-downstream');
    expect(out()).to.equal(`hello x7 ${DATE}\n`);

    await ok('clear', 'quick', '--date', DATE, '--task', 'load', '--yes');
    fs.rmSync(sb.fx(`out/quick-${DATE}.txt`));
    await ok('run', 'quick', '--date', DATE, '--no-downstream');
    expect(out(), 'resumed without --param').to.equal(`hello x7 ${DATE}\n`);
    expect(await recorded()).to.deep.equal({ greeting: 'hello', repeat: 7 });

    await ok('clear', 'quick', '--date', DATE, '--task', 'load', '--yes');
    await ok('run', 'quick', '--date', DATE, '--param', 'greeting=hi', '--no-downstream');
    expect(out(), 'a new --param replaces only its own value').to.equal(`hi x7 ${DATE}\n`);
    expect(await recorded()).to.deep.equal({ greeting: 'hi', repeat: 7 });
    // The fixture's DAG object reads the same state: the summary of the resumed run is complete.
    expect((await withEngine(sb.home, (e) => e.status(quick, DATE)))?.state).to.equal('success');
  });
});
