import { expect } from 'chai';
import { computeTrend, renderTrendChart, trendDates, trendPoint } from '../../dags/lib/analytics/index.js';
import { REPORT } from './support/report-fixture.js';

const at = (reportDate: string, patch: Record<string, unknown> = {}): unknown => ({
  ...JSON.parse(JSON.stringify(REPORT)),
  reportDate,
  ...patch,
});

describe('report trend', () => {
  it('covers D − 13 .. D', () => {
    const dates = trendDates('2025-09-09');
    expect(dates).to.have.length(14);
    expect([dates[0], dates[13]]).to.deep.equal(['2025-08-27', '2025-09-09']);
    expect(trendDates('2025-03-01')[12]).to.equal('2025-02-28');
  });

  it('builds points from earlier reports, oldest first, ignoring dates outside the window', () => {
    const trend = computeTrend('2025-09-09', [
      at('2025-09-02', { q1: { newUsers: 80, pct: 2.5 } }),
      at('2025-08-01'),
      at('2025-09-10'),
      at('2025-08-27', { q3: { abnormal: [] } }),
      REPORT,
    ]);
    expect(trend.points.map((p) => p.reportDate)).to.deep.equal(['2025-08-27', '2025-09-02', '2025-09-09']);
    expect(trend.points[0]).to.deep.equal({
      reportDate: '2025-08-27',
      q1Pct: 1,
      q2Top: 'Comedy',
      q2TopRate: 0.75,
      q2ClearWinner: false,
      q3Abnormal: [],
    });
    expect(trend.points[1]!.q1Pct).to.equal(2.5);
    expect(trend.points[2]!.q3Abnormal).to.deep.equal(['iOS 2.0.1']);
  });

  it('lets the later report of a date win (the current one last)', () => {
    const trend = computeTrend('2025-09-09', [
      at('2025-09-09', { q2: { top: 'Drama', genres: [] } }),
      REPORT,
    ]);
    expect(trend.points.map((p) => p.q2Top)).to.deep.equal(['Comedy']);
  });

  it('reads reports written before the new fields, and an old 0 % without new users as null', () => {
    const old = {
      reportDate: '2025-09-01',
      q1: { newUsers: 0, withSession: 0, reached30s: 0, pct: 0 },
      q2: { top: null, genres: [] },
      q3: { abnormal: [{ deviceOs: 'iOS', appVersion: '2.0.1' }] },
    };
    expect(trendPoint(old)).to.deep.equal({
      reportDate: '2025-09-01',
      q1Pct: null,
      q2Top: null,
      q2TopRate: null,
      q2ClearWinner: null,
      q3Abnormal: ['iOS 2.0.1'],
    });
    expect(trendPoint('not a report')).to.equal(null);
    expect(trendPoint({ q1: {} })).to.equal(null);
  });

  it('renders an accessible trend chart that breaks lines at missing dates', () => {
    const svg = renderTrendChart(
      computeTrend('2025-09-09', [at('2025-09-01'), at('2025-09-02'), at('2025-09-05'), REPORT]),
    );
    expect(svg).to.match(
      /<title id="chart-title">Trend · Q1–Q3 over report dates 2025-08-27 to 2025-09-09<\/title>/,
    );
    expect(svg).to.include('<desc id="chart-desc">');
    expect(svg).to.include('2025-09-05 Q1 1.0%, Q2 Comedy 75.0%, Q3 iOS 2.0.1');
    expect(svg).to.include('report date (MM-DD, UTC)');
    // Two series; each has one line (09-01 to 09-02), 09-05 and 09-09 stand alone.
    expect(svg.match(/<polyline/g)).to.have.length(2);
    expect(svg.match(/<circle cx/g)!.length).to.equal(2 * 4 + 2);
    expect(svg).to.not.match(/NaN|undefined/);
    expect(renderTrendChart(computeTrend('2025-09-09', []))).to.include('no report in this window');
  });
});
