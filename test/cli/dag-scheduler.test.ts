import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { collect, Sandbox, until } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DAY = 86_400_000;
const ds = (daysAgo: number): string => new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10);

describe('dag scheduler (e2e, real processes)', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-dags');
  });
  afterEach(() => sb.cleanup());

  const executions = (): string[] =>
    fs.existsSync(sb.fx('executions.log'))
      ? fs.readFileSync(sb.fx('executions.log'), 'utf8').trim().split('\n')
      : [];

  it('creates and runs exactly the due dates (catchup: the 3 missed days; no catchup: the latest), then exits 0 on SIGTERM', async () => {
    const child = sb.start('scheduler', '--interval', '200', '--grace', '2000');
    const done = collect(child);
    const expected = [
      `recent_catchup ${ds(3)} 1`,
      `recent_catchup ${ds(2)} 1`,
      `recent_catchup ${ds(1)} 1`,
      `recent_latest ${ds(1)} 1`,
    ];
    await until('the four due runs to execute', () => executions().length >= expected.length);
    // A few more passes: nothing else is due, nothing runs twice.
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.contain('dag scheduler: stopped; 0 unfinished run(s) handed back');
    expect([...executions()].sort()).to.deep.equal([...expected].sort());

    const runs = await sb.dag('runs', 'recent_catchup', '--json');
    expect(runs.code, runs.stderr).to.equal(0);
    const states = (JSON.parse(runs.stdout) as { logicalDate: string; runType: string; state: string }[])
      .map((r) => [r.logicalDate.slice(0, 10), r.runType, r.state])
      .sort();
    expect(states).to.deep.equal([ds(3), ds(2), ds(1)].sort().map((d) => [d, 'scheduled', 'success']));
    const log = fs
      .readFileSync(path.join(sb.home, 'logs', 'scheduler.log'), 'utf8')
      .trim()
      .split('\n');
    expect(log.map((l) => (JSON.parse(l) as { type: string }).type)).to.include.members([
      'started',
      'run-created',
      'run-finished',
      'stopped',
    ]);
  });

  it('a paused DAG gets no runs; dag list shows it paused', async () => {
    const paused = await sb.dag('pause', 'recent_latest');
    expect(paused.code, paused.stderr).to.equal(0);
    const child = sb.start('scheduler', '--interval', '200');
    const done = collect(child);
    await until(
      'the catchup runs',
      () => executions().filter((l) => l.startsWith('recent_catchup')).length === 3,
    );
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGTERM');
    expect((await done).code).to.equal(0);
    expect(executions().filter((l) => l.startsWith('recent_latest'))).to.deep.equal([]);
    const list = await sb.dag('list', '--json');
    const entries = (JSON.parse(list.stdout) as { dags: { dagId: string; paused: boolean }[] }).dags;
    expect(entries.find((d) => d.dagId === 'recent_latest')?.paused).to.equal(true);
    expect(entries.find((d) => d.dagId === 'recent_catchup')?.paused).to.equal(false);
  });
});
