import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { collect, Sandbox, until } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ds = (daysAgo: number): string =>
  new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

describe('dag scheduler killed with SIGKILL and started again (e2e)', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-restart-dags');
  });
  afterEach(() => sb.cleanup());

  const executions = (): string[] =>
    fs.existsSync(sb.fx('executions.log'))
      ? fs.readFileSync(sb.fx('executions.log'), 'utf8').trim().split('\n').filter(Boolean)
      : [];

  it('the new scheduler takes the run over: no run created twice, no body run twice for one try, every date done', async () => {
    const first = sb.start('scheduler', '--interval', '200');
    const firstDone = collect(first);
    await until('the first body to start', () => executions().length === 1);
    first.kill('SIGKILL');
    await firstDone;

    const second = sb.start('scheduler', '--interval', '200');
    const secondDone = collect(second);
    // The takeover starts the interrupted run's task again, as its next try.
    await until('the task to run again', () => executions().length === 2);
    fs.writeFileSync(sb.fx('release'), '');
    await until('both dates to run', () => new Set(executions().map((l) => l.split(' ')[0])).size === 2);
    const runsDone = async () => {
      const r = await sb.dag('runs', 'slow_daily', '--json');
      return (JSON.parse(r.stdout) as { state: string }[]).filter((x) => x.state === 'success').length;
    };
    const deadline = Date.now() + 60_000;
    while ((await runsDone()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    second.kill('SIGTERM');
    const result = await secondDone;
    expect(result.code, result.stderr).to.equal(0);

    const runs = await sb.dag('runs', 'slow_daily', '--json');
    const states = (JSON.parse(runs.stdout) as { logicalDate: string; runType: string; state: string }[])
      .map((r) => [r.logicalDate.slice(0, 10), r.runType, r.state])
      .sort();
    expect(states).to.deep.equal([
      [ds(2), 'scheduled', 'success'],
      [ds(1), 'scheduled', 'success'],
    ]);
    const tries = executions().map((l) => l.split(' ').slice(0, 2).join(' '));
    // Every (date, try) body started once; the killed try's date ran again as try 2.
    expect(new Set(tries).size, tries.join(', ')).to.equal(tries.length);
    expect(tries[0]).to.equal(`${ds(2)} 1`);
    expect(tries[1]).to.equal(`${ds(2)} 2`);
  });
});
