import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { mapped } from './fixtures/mapped-dags/mapped.js';
import { collect, Sandbox, taskStates, until, withEngine } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATE = '2025-09-09';

describe('dag CLI: mapped tasks (e2e)', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/mapped-dags');
  });
  afterEach(() => sb.cleanup());

  const executions = (): string[] =>
    fs.existsSync(sb.fx('executions.log'))
      ? fs.readFileSync(sb.fx('executions.log'), 'utf8').trim().split('\n').filter(Boolean)
      : [];

  it('a run killed while one instance runs resumes with dag run: only that instance runs again', async () => {
    const first = sb.start('run', 'mapped', '--date', DATE);
    const firstDone = collect(first);
    await until('three instances to succeed and c.csv to start', async () => {
      if (!executions().includes('c.csv 1')) return false;
      const run = await withEngine(sb.home, (e) => e.status(mapped, DATE));
      return (
        (run?.tasks ?? []).filter((t) => t.taskId.startsWith('load[') && t.state === 'success').length === 3
      );
    });
    first.kill('SIGKILL');
    await firstDone;
    expect((await taskStates(sb.home, mapped, DATE))['load[2]']).to.deep.equal(['running', 1]);

    fs.writeFileSync(sb.fx('release'), '');
    const resumed = await sb.dag('run', 'mapped', '--date', DATE);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(await taskStates(sb.home, mapped, DATE)).to.deep.equal({
      list: ['success', 1],
      load: ['success', 0],
      'load[0]': ['success', 1],
      'load[1]': ['success', 1],
      'load[2]': ['success', 2],
      'load[3]': ['success', 1],
      report: ['success', 1],
    });
    // Each body ran once, but c.csv's: its first try died with the process (recorded as a zombie).
    expect([...executions()].sort()).to.deep.equal(['a.csv 1', 'b.csv 1', 'c.csv 1', 'c.csv 2', 'd.csv 1']);
    const run = await withEngine(sb.home, (e) => e.status(mapped, DATE));
    expect(run!.tasks.find((t) => t.taskId === 'report')!.output).to.equal(4);
    const [zombie] = await withEngine(sb.home, (e) => e.tries(mapped.id, run!.runId, 'load[2]'));
    expect(zombie).to.include({ tryNumber: 1, state: 'failed', errorName: 'TaskInterruptedError' });
  });

  it('shows, logs, tests and clears one instance by index', async () => {
    fs.writeFileSync(sb.fx('release'), '');
    expect((await sb.dag('run', 'mapped', '--date', DATE)).code).to.equal(0);

    const status = await sb.dag('status', 'mapped', '--date', DATE);
    expect(status.code, status.stderr).to.equal(0);
    const rows = status.stdout.split('\n').filter((l) => l.startsWith('│ '));
    expect(rows.map((l) => l.split('│')[1]!.trim())).to.deep.equal([
      'task',
      'list',
      'load',
      'load[0]',
      'load[1]',
      'load[2]',
      'load[3]',
      'report',
    ]);

    const logs = await sb.dag('logs', 'mapped', '--date', DATE, '--task', 'load[2]');
    expect(logs.code, logs.stderr).to.equal(0);
    expect(logs.stdout).to.match(/^=== load\[2\] try 1 \(success\) /);
    expect(logs.stdout).to.include('loading c.csv into events index=2');
    expect(logs.stdout).not.to.include('b.csv');

    const tested = await sb.dag('test', 'mapped', 'load[1]', '--date', DATE);
    expect(tested.code, tested.stderr).to.equal(0);
    expect(tested.stdout).to.include('loading b.csv into events index=1');
    expect(tested.stdout).to.include('output: "events/b.csv"');

    const cleared = await sb.dag('clear', 'mapped', '--date', DATE, '--task', 'load[3]', '--yes');
    expect(cleared.code, cleared.stderr).to.equal(0);
    expect(cleared.stdout).to.include('cleared 2 task instance(s)');
    expect((await sb.dag('run', 'mapped', '--date', DATE)).code).to.equal(0);
    expect([...executions()].sort()).to.deep.equal([
      'a.csv 1',
      'b.csv 1',
      'b.csv 1',
      'c.csv 1',
      'd.csv 1',
      'd.csv 2',
    ]);
  });

  it('bad instance names exit 2 with one line saying what to name instead', async () => {
    const whole = await sb.dag('test', 'mapped', 'load', '--date', DATE);
    expect(whole.code).to.equal(2);
    expect(whole.stderr).to.equal("dag: task 'load' is mapped: test one of its instances, e.g. 'load[0]'\n");
    const plain = await sb.dag('logs', 'mapped', '--date', DATE, '--task', 'list[0]');
    expect(plain.code).to.equal(2);
    expect(plain.stderr).to.equal(
      "dag: 'list[0]' names instance 0 of task 'list', which is not mapped; name the task 'list'\n",
    );
    const unknown = await sb.dag('clear', 'mapped', '--date', DATE, '--task', 'nope[1]', '--yes');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.equal(
      "dag: unknown task 'nope' in DAG 'mapped'; its tasks: list, load, report\n",
    );
  });
});
