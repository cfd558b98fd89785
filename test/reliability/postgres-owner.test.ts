import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { requirePostgres } from '../../packages/engine/test/support/postgres.js';
import { collect, type Result, withEngine } from '../cli/helpers.js';
import { owned } from './fixtures/dags/owned.js';
import { FaultSandbox } from './support/harness.js';

// one-owner.test.ts on PostgreSQL: the lease is a row lock of the server, not a SQLite file lock.
describe('reliability: one owner per run, state on PostgreSQL', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  before(async function () {
    await requirePostgres(this);
  });
  beforeEach(() => {
    sb = new FaultSandbox({ store: 'postgres' });
  });
  afterEach(() => sb?.cleanup());

  it('two `dag run` of the same date started together: one executes, the other exits 1 at once naming it', async () => {
    sb.hold('first');
    const children = [
      sb.start('run', 'owned', '--date', '2025-01-05'),
      sb.start('run', 'owned', '--date', '2025-01-05'),
    ];
    const results = children.map((c) => collect(c));
    const loser = await Promise.race(results.map((r, i) => r.then((res): [number, Result] => [i, res])));
    await sb.reached('first');
    const ownerPid = Number(fs.readFileSync(sb.fx('at-first'), 'utf8'));
    const [loserIndex, lost] = loser;
    expect(lost.code, lost.stderr).to.equal(1);
    expect(children[1 - loserIndex]?.pid).to.equal(ownerPid);
    const lines = lost.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(
      new RegExp(`^dag: run owned/manual__2025-01-05 is being executed by .*process ${ownerPid} on \\S+`),
    );

    sb.open('first');
    const won = await results[1 - loserIndex]!;
    expect(won.code, won.stderr).to.equal(0);
    expect(Object.fromEntries(sb.executions())).to.deep.equal({
      '2025-01-05 first': 1,
      '2025-01-05 second': 1,
    });
    expect(fs.existsSync(path.join(sb.home, 'state.db'))).to.equal(false);
  });

  it('two backfills over overlapping ranges never execute one run twice', async () => {
    const [ra, rb] = await Promise.all([
      collect(sb.start('backfill', 'owned', '--start', '2025-01-01', '--end', '2025-01-04', '--json')),
      collect(sb.start('backfill', 'owned', '--start', '2025-01-01', '--end', '2025-01-06', '--json')),
    ]);
    expect(ra.code, ra.stderr).to.equal(0);
    expect(rb.code, rb.stderr).to.equal(0);
    const expected: Record<string, number> = {};
    for (let day = 1; day <= 6; day++) {
      expected[`2025-01-0${day} first`] = 1;
      expected[`2025-01-0${day} second`] = 1;
    }
    expect(Object.fromEntries([...sb.executions()].sort())).to.deep.equal(expected);
    const runs = await withEngine(sb.home, (e) => e.listRuns(owned.id));
    expect(runs.map((r) => r.state)).to.deep.equal(Array(6).fill('success'));
  });
});
