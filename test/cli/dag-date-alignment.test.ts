import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { type Result, Sandbox } from './helpers.js';

/** A usage error: exit 2 and exactly this one line on stderr. */
function expectUsage(r: Result, line: string, label: string): void {
  expect(r.code, `${label}: ${r.stderr}`).to.equal(2);
  expect(r.stderr, label).to.equal(`dag: ${line}\n`);
}

describe('dag CLI: --date must be a scheduled logical date of a periodic DAG (e2e)', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it('rejects a misaligned or early --date of the @daily fixture in run, test, clear and status, touching nothing', async () => {
    const misaligned =
      "--date 2025-10-01T06:00:00Z is not a scheduled logical date of @daily DAG 'daily'; " +
      'nearest: 2025-10-01T00:00:00Z, 2025-10-02T00:00:00Z';
    const cases: readonly [string[], string][] = [
      [['run', 'daily', '--date', '2025-10-01T06:00:00Z'], misaligned],
      [['test', 'daily', 'fetch', '--date', '2025-10-01T06:00:00Z'], misaligned],
      [['clear', 'daily', '--date', '2025-10-01T06:00:00Z', '--yes'], misaligned],
      [['status', 'daily', '--date', '2025-10-01T06:00:00Z'], misaligned],
      [
        ['run', 'daily', '--date', '2025-10-01T12:00:00Z'],
        "--date 2025-10-01T12:00:00Z is not a scheduled logical date of @daily DAG 'daily'; " +
          'nearest: 2025-10-01T00:00:00Z, 2025-10-02T00:00:00Z',
      ],
      [
        ['run', 'daily', '--date', '2025-09-09T12:00:00+14:00'],
        "--date 2025-09-09T12:00:00+14:00 (2025-09-08T22:00:00Z) is not a scheduled logical date of @daily DAG 'daily'; " +
          'nearest: 2025-09-08T00:00:00Z, 2025-09-09T00:00:00Z',
      ],
      [
        ['run', 'daily', '--date', '2024-12-31'],
        "--date 2024-12-31 is before the DAG's start date 2025-01-01; " +
          "the first logical date of DAG 'daily' is 2025-01-01T00:00:00Z",
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => sb.dag(...args)));
    results.forEach((r, i) => {
      const [args, line] = cases[i]!;
      expectUsage(r, line, args.join(' '));
    });
    expect(fs.existsSync(path.join(sb.home, 'state.db')), 'no state database was created').to.equal(false);
  });

  it('runs the scheduled instant however it is written, once; an unscheduled DAG takes any instant', async () => {
    const first = await sb.dag('run', 'daily', '--date', '2025-10-01');
    expect(first.code, first.stderr).to.equal(0);
    for (const same of ['2025-10-01T00:00:00Z', '2025-10-01T02:00:00+02:00']) {
      const again = await sb.dag('run', 'daily', '--date', same);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stderr, same).to.contain('already succeeded');
    }
    const runs = await sb.dag('runs', 'daily', '--json');
    expect((JSON.parse(runs.stdout) as unknown[]).length).to.equal(1);

    const anyInstant = await sb.dag('run', 'quick', '--date', '2025-09-09T06:30:00Z', '--no-downstream');
    expect(anyInstant.code, anyInstant.stderr).to.equal(0);
  });
});
