import fs from 'node:fs';
import { expect } from 'chai';
import { collect, type Result, withEngine } from '../cli/helpers.js';
import { owned } from './fixtures/dags/owned.js';
import { FaultSandbox } from './support/harness.js';

interface BackfillJson {
  readonly results: readonly { logicalDate: string; state: string; error: string | null }[];
}

describe('reliability: one owner per run', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  beforeEach(() => {
    sb = new FaultSandbox();
  });
  afterEach(() => sb.cleanup());

  it('two `dag run` of the same date started together: one executes, the other exits 1 at once naming it', async () => {
    sb.hold('first');
    const children = [
      sb.start('run', 'owned', '--date', '2025-01-05'),
      sb.start('run', 'owned', '--date', '2025-01-05'),
    ];
    const results = children.map((c) => collect(c));
    // The loser exits while the winner is still held at its gate: it did not wait for the lease.
    const loser = await Promise.race(results.map((r, i) => r.then((res): [number, Result] => [i, res])));
    await sb.reached('first');
    const ownerPid = Number(fs.readFileSync(sb.fx('at-first'), 'utf8'));
    const [loserIndex, lost] = loser;
    expect(lost.code, lost.stderr).to.equal(1);
    expect(children[loserIndex]?.pid).to.not.equal(ownerPid);
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
  });

  it('two backfills over overlapping ranges never execute one run twice', async () => {
    const a = collect(
      sb.start('backfill', 'owned', '--start', '2025-01-01', '--end', '2025-01-06', '--json'),
    );
    const b = collect(
      sb.start('backfill', 'owned', '--start', '2025-01-01', '--end', '2025-01-09', '--json'),
    );
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.code, ra.stderr).to.equal(0);
    expect(rb.code, rb.stderr).to.equal(0);

    const expected: Record<string, number> = {};
    for (let day = 1; day <= 9; day++) {
      const ds = `2025-01-0${day}`;
      expected[`${ds} first`] = 1;
      expected[`${ds} second`] = 1;
    }
    expect(Object.fromEntries([...sb.executions()].sort())).to.deep.equal(expected);
    const runs = await withEngine(sb.home, (e) => e.listRuns(owned.id));
    expect(runs.map((r) => r.state)).to.deep.equal(Array(9).fill('success'));
    // Both started on 2025-01-01 at once, so the lease (not luck) decided who ran at least one date.
    const conflicts = [ra, rb]
      .flatMap((r) => (JSON.parse(r.stdout) as BackfillJson).results)
      .filter((r) => r.state === 'skipped' && /being executed by/.test(r.error ?? ''));
    expect(conflicts.length, `${ra.stdout}\n${rb.stdout}`).to.be.greaterThan(0);
  });
});
