import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { collect, json, REPO, Sandbox, TEST_STORE, until } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface BackfillRow {
  id: number;
  dagId: string;
  state: string;
  dates: number;
  succeeded: number;
  failed: number;
  active: number;
  completedAt: string | null;
}

describe('dag scheduler: trigger --wait, queued backfills, DAG files re-read (e2e)', function () {
  this.timeout(120_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-records-dags');
  });
  afterEach(() => sb.cleanup());

  const executions = (): string[] =>
    fs.existsSync(sb.fx('executions.log'))
      ? fs.readFileSync(sb.fx('executions.log'), 'utf8').trim().split('\n').filter(Boolean)
      : [];
  const backfills = async (): Promise<BackfillRow[]> => json(await sb.dag('backfill', 'list', '--json'));

  it('dag trigger --wait follows the run the scheduler executes and exits with its outcome', async () => {
    const scheduler = sb.start('scheduler', '--interval', '200');
    const stopped = collect(scheduler);
    try {
      const ok = await sb.dag('trigger', 'on_demand', '--date', '2025-03-01', '--wait');
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stderr).to.contain('queued on_demand manual__2025-03-01');
      expect(ok.stderr).to.match(/on_demand 2025-03-01 work success \(try 1\)/);
      expect(ok.stdout).to.contain('success');
      const bad = await sb.dag(
        'trigger',
        'on_demand',
        '--date',
        '2025-03-02',
        '--param',
        'fail=true',
        '--wait',
        '--json',
      );
      expect(bad.code, bad.stderr).to.equal(1);
      expect(json<{ state: string; tasks: { taskId: string; state: string }[] }>(bad)).to.deep.include({
        state: 'failed',
      });
    } finally {
      scheduler.kill('SIGTERM');
    }
    expect((await stopped).code).to.equal(0);
    expect(executions()).to.deep.equal(['on_demand 2025-03-01 1', 'on_demand 2025-03-02 1']);
  });

  it('dag backfill --queue: the scheduler runs it; list shows progress; pause holds it; cancel leaves nothing queued', async () => {
    const queued = await sb.dag(
      'backfill',
      'backfilled',
      '--start',
      '2025-02-01',
      '--end',
      '2025-02-03',
      '--queue',
    );
    expect(queued.code, queued.stderr).to.equal(0);
    expect(queued.stdout).to.contain('queued backfill 1 of backfilled: 3 dates, 3 to run');
    expect((await backfills()).map((b) => [b.id, b.state, b.succeeded])).to.deep.equal([[1, 'running', 0]]);

    const scheduler = sb.start('scheduler', '--interval', '200');
    const stopped = collect(scheduler);
    try {
      await until('backfill 1 done', async () => (await backfills())[0]?.state === 'done');
      expect((await backfills())[0]).to.include({ dates: 3, succeeded: 3, failed: 0, active: 0 });

      // A second one whose bodies wait: paused after its first dates start, then cancelled.
      fs.writeFileSync(sb.fx('hold'), '');
      const second = await sb.dag(
        'backfill',
        'backfilled',
        '--start',
        '2025-02-10',
        '--end',
        '2025-02-19',
        '--queue',
        '--max-active-runs',
        '2',
      );
      expect(second.code, second.stderr).to.equal(0);
      await until(
        'two dates running',
        () => executions().filter((l) => l.includes('2025-02-1')).length === 2,
      );
      const paused = await sb.dag('backfill', 'pause', '2');
      expect(paused.stdout.trim()).to.equal('backfill 2 of backfilled paused');
      fs.rmSync(sb.fx('hold'));
      await until('the running dates to finish', async () => (await backfills())[0]?.active === 0);
      const started = executions().filter((l) => l.includes('2025-02-1')).length;
      await new Promise((r) => setTimeout(r, 1000));
      expect(executions().filter((l) => l.includes('2025-02-1'))).to.have.length(started);

      const cancelled = await sb.dag('backfill', 'cancel', '2');
      expect(cancelled.stdout.trim()).to.equal('backfill 2 of backfilled cancelled');
      await until('backfill 2 complete', async () => (await backfills())[0]?.completedAt !== null);
      const again = await sb.dag('backfill', 'unpause', '2');
      expect(again.code).to.equal(2);
      expect(again.stderr.trim()).to.equal(
        'dag: backfill 2 is cancelled: only a paused backfill can be unpaused',
      );
    } finally {
      scheduler.kill('SIGTERM');
    }
    expect((await stopped).code).to.equal(0);
    const runs = json<{ logicalDate: string; state: string }[]>(await sb.dag('runs', 'backfilled', '--json'));
    expect(runs.filter((r) => r.state === 'queued' || r.state === 'running')).to.deep.equal([]);
    const lines = executions();
    expect(new Set(lines).size, lines.join(', ')).to.equal(lines.length);
  });

  it('rejects a backfill of intervals that have not ended, and bad backfill actions, with exit 2', async () => {
    if (TEST_STORE === 'sqlite') {
      // Workers need the queue on PostgreSQL: refused before any state file is created.
      const saved = sb.env;
      sb.env = () => ({ ...saved.call(sb), STREAMPRO_EXECUTOR: 'workers' });
      const noServer = await sb.dag('run', 'on_demand', '--date', '2025-03-01');
      sb.env = saved;
      expect(noServer.code).to.equal(2);
      expect(noServer.stderr.trim()).to.match(
        /^dag: STREAMPRO_EXECUTOR=workers needs the state on PostgreSQL/,
      );
      expect(fs.existsSync(path.join(sb.home, 'state.db'))).to.equal(false);
    }
    const today = new Date().toISOString().slice(0, 10);
    const future = await sb.dag('backfill', 'backfilled', '--start', '2025-01-01', '--end', today, '--queue');
    expect(future.code).to.equal(2);
    expect(future.stderr).to.match(/has not ended .*pick an earlier end date\n$/);
    const noId = await sb.dag('backfill', 'cancel');
    expect(noId.code).to.equal(2);
    expect(noId.stderr.trim()).to.equal(
      'dag: dag backfill cancel needs the id of a backfill (see dag backfill list)',
    );
    const none = await sb.dag('backfill', 'pause', '7');
    expect(none.code).to.equal(2);
    expect(none.stderr.trim()).to.equal('dag: no backfill 7; see dag backfill list');
  });

  it('re-reads the DAG folder: a DAG file added while it runs gets scheduled, a broken one is reported', async () => {
    // DAG files import the engine by absolute path: the folder is outside the repository's node_modules.
    const folder = path.join(sb.root, 'dags');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'package.json'), '{ "type": "module" }\n');
    fs.copyFileSync(
      path.join(here, 'fixtures/scheduler-records-dags/records.ts'),
      path.join(folder, 'records.ts'),
    );
    fs.writeFileSync(
      path.join(folder, 'records.ts'),
      fs
        .readFileSync(path.join(folder, 'records.ts'), 'utf8')
        .replace("'@streampro/engine'", JSON.stringify(engineEntry())),
    );
    sb.dagsFolder = folder;
    const scheduler = sb.start('scheduler', '--interval', '200');
    const stopped = collect(scheduler);
    let stderr = '';
    scheduler.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      await until('the scheduler to start', () => stderr.includes('started as'));
      const yesterday = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
      fs.writeFileSync(
        path.join(folder, 'late.ts'),
        [
          `import fs from 'node:fs';`,
          `import { defineDag } from ${JSON.stringify(engineEntry())};`,
          `export const late = defineDag({ id: 'late', schedule: '@daily', startDate: '${yesterday}' });`,
          `late.task({ id: 'work', run: (ctx) => fs.appendFileSync(process.env.FIXTURE_DIR + '/executions.log', 'late ' + ctx.ds + '\\n') });`,
        ].join('\n'),
      );
      fs.writeFileSync(path.join(folder, 'broken.ts'), 'export const x = ;\n');
      await until('the new DAG to run', () => executions().some((l) => l.startsWith('late ')), 20_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}; scheduler stderr: ${stderr}`);
        },
      );
      await until('the broken file to be reported', () => stderr.includes('broken DAG file'));
      expect(stderr).to.contain('DAG files changed');
    } finally {
      scheduler.kill('SIGTERM');
    }
    expect((await stopped).code).to.equal(0);
  });
});

function engineEntry(): string {
  return path.join(REPO, 'packages/engine/dist/bundle/index.js');
}
