import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { json, overlaps, poolIntervals, Sandbox } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface PoolRow {
  name: string;
  slots: number | null;
  occupied: number | null;
  queued: number | null;
  running: number | null;
  description: string;
  dags: string[];
}

describe('dag pools: slot counts in the store (e2e)', function () {
  this.timeout(120_000);
  let sb: Sandbox;

  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/worker-dags');
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('set, list (stored pools and the pools DAGs name), update, delete', async () => {
    const set = await sb.dag('pools', 'set', 'solo', '1', '--description', 'one at a time');
    expect(set.code, set.stderr).to.equal(0);
    expect(set.stdout.trim()).to.equal('pool solo: 1 slot(s)');
    expect((await sb.dag('pools', 'set', 'solo', '2')).stdout.trim()).to.equal(
      'pool solo: 2 slot(s) (was 1)',
    );
    const listed = await sb.dag('pools', '--json');
    expect(listed.code, listed.stderr).to.equal(0);
    expect(json<PoolRow[]>(listed)).to.deep.equal([
      {
        name: 'solo',
        slots: 2,
        occupied: 0,
        queued: 0,
        running: 0,
        description: 'one at a time',
        dags: ['pooled'],
      },
      {
        name: 'default_pool',
        slots: null,
        occupied: null,
        queued: null,
        running: null,
        description: '',
        dags: ['chatty', 'cluster', 'routed'],
      },
    ]);
    const table = await sb.dag('pools', 'list');
    expect(table.stdout).to.match(/│ solo\s+│ 2\s+│ 0\s+│ 0\s+│ 0\s+│ pooled\s+│ one at a time\s+│/);
    expect(table.stdout).to.match(/│ default_pool\s+│ unbounded\s+│ -/);
    const deleted = await sb.dag('pools', 'delete', 'solo');
    expect(deleted.stdout.trim()).to.equal(
      'pool solo deleted: its tasks are no longer limited by a stored pool',
    );
    expect(json<PoolRow[]>(await sb.dag('pools', '--json')).map((p) => p.name)).to.deep.equal([
      'default_pool',
      'solo',
    ]);
    expect(json<PoolRow[]>(await sb.dag('pools', '--json'))[1]?.slots).to.equal(null);
  });

  for (const [args, message] of [
    [['set', 'solo'], 'dag: dag pools set solo needs a number of slots, e.g. dag pools set solo 1'],
    [['set', 'solo', 'two'], "dag: pool 'solo' needs a whole number of slots >= 0, got 'two'"],
    [['set', 'so lo', '1'], "dag: pool name 'so lo' must be 1-250 letters, digits, '_', '.' or '-'"],
    [['set'], 'dag: dag pools set needs a pool name, e.g. dag pools set duckdb 1'],
    [['delete', 'ghost'], "dag: no pool 'ghost' is stored; see dag pools list"],
  ] as const) {
    it(`dag pools ${args.join(' ')}: exit 2 and one line`, async () => {
      const r = await sb.dag('pools', ...args);
      expect(r.code).to.equal(2);
      expect(r.stderr.trim()).to.equal(message);
    });
  }

  it('a pool of 1 across two dag run processes: no two bodies overlap, and both runs succeed', async () => {
    expect((await sb.dag('pools', 'set', 'solo', '1')).code).to.equal(0);
    const runs = await Promise.all([
      sb.dag('run', 'pooled', '--date', '2025-03-01', '--json'),
      sb.dag('run', 'pooled', '--date', '2025-03-02', '--json'),
    ]);
    for (const r of runs) expect(r.code, r.stderr).to.equal(0);
    const intervals = poolIntervals(sb.fx('pool.log'));
    expect(intervals).to.have.length(12);
    expect(overlaps(intervals)).to.deep.equal([]);
    // Two processes ran them (a pool of the store, not of one process).
    expect(new Set(intervals.map((i) => i.pid)).size).to.be.greaterThan(1);
  });

  it('without a stored pool the same two runs do overlap (the check above can fail)', async () => {
    const runs = await Promise.all([
      sb.dag('run', 'pooled', '--date', '2025-03-01', '--json'),
      sb.dag('run', 'pooled', '--date', '2025-03-02', '--json'),
    ]);
    for (const r of runs) expect(r.code, r.stderr).to.equal(0);
    expect(overlaps(poolIntervals(sb.fx('pool.log')))).to.not.deep.equal([]);
  });
});
