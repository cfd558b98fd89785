import { expect } from 'chai';
import { computeReport, WATCH_TIME_EDGES, watchTimeHistogram } from '../../dags/lib/analytics/index.js';
import { generateDays } from '../../scripts/generate/index.js';
import { withTrusted } from './support/duckdb.js';

describe('Q1 watch-time histogram', () => {
  it('bins by [from, to) on the fixed edges, every bin present, the last open', () => {
    const bins = watchTimeHistogram([
      { watchTime: 0, users: 2 },
      { watchTime: 29.99, users: 3 },
      { watchTime: 30, users: 4 },
      { watchTime: 599.5, users: 1 },
      { watchTime: 3600, users: 5 },
    ]);
    expect(bins.map((b) => b.fromSeconds)).to.deep.equal([...WATCH_TIME_EDGES]);
    expect(bins.map((b) => b.users)).to.deep.equal([2, 0, 0, 0, 0, 3, 4, 0, 0, 1, 5]);
    expect(bins[5]).to.deep.equal({ fromSeconds: 25, toSeconds: 30, users: 3 });
    expect(bins.at(-1)).to.deep.equal({ fromSeconds: 600, toSeconds: null, users: 5 });
    expect(WATCH_TIME_EDGES).to.include(30);
  });

  it('rejects a negative watch time with a RangeError', () => {
    expect(() => watchTimeHistogram([{ watchTime: -1, users: 1 }])).to.throw(
      RangeError,
      'watchTimeHistogram: watch time -1 is not ≥ 0',
    );
  });

  it('sums to withSession, and from 30 s up to reached30s, in a computed report', async () => {
    const days = generateDays('2025-09-09', '2025-09-10').map((d) => d.records);
    const report = await withTrusted(days, (c) => computeReport(c, '2025-09-09'));
    const { q1 } = report;
    expect(q1.watchTimeHistogram.reduce((sum, b) => sum + b.users, 0)).to.equal(q1.withSession);
    const reached = q1.watchTimeHistogram.filter((b) => b.fromSeconds >= 30).reduce((s, b) => s + b.users, 0);
    expect(reached).to.equal(q1.reached30s);
  });
});
