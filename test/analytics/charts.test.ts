import { expect } from 'chai';
import {
  CHART_FILES,
  computeTrend,
  type Report,
  renderCharts,
  renderDropOffChart,
  renderRetentionChart,
  renderTrendChart,
  renderWatchTimeChart,
} from '../../dags/lib/analytics/index.js';
import { REPORT } from './support/report-fixture.js';

function expectAccessibleSvg(svg: string, title: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
  expect(svg).to.include('role="img" aria-labelledby="chart-title chart-desc"');
  expect(svg).to.match(/<title id="chart-title">[^<]+<\/title>/);
  expect(svg).to.match(/<desc id="chart-desc">[^<]+<\/desc>/);
  expect(svg).to.include(title);
  expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
  expect(svg).to.not.match(/NaN|undefined|Infinity/);
}

describe('report charts', () => {
  it('renders each chart as an accessible standalone SVG with a title, a description and a legend', () => {
    const charts = renderCharts(REPORT);
    expect(Object.keys(charts).sort()).to.deep.equal([CHART_FILES.q1, CHART_FILES.q2, CHART_FILES.q3].sort());
    expectAccessibleSvg(charts[CHART_FILES.q1]!, 'Q1 · first-session watch time');
    expectAccessibleSvg(charts[CHART_FILES.q2]!, 'Q2 · 2nd session within 72 h');
    expectAccessibleSvg(charts[CHART_FILES.q3]!, 'Q3 · session drop-off');
    expect(charts[CHART_FILES.q2]).to.include('Drama &lt;&amp;&gt;');
    expect(charts[CHART_FILES.q2]).to.include('Wilson 95% CI');
    expect(charts[CHART_FILES.q2]).to.include('retained within 72 h (% of users)');
    expect(charts[CHART_FILES.q2]).to.include('not significantly ahead of Romance');
  });

  it('draws only eligible cohorts in Q3, with whiskers and the overall rate', () => {
    const svg = renderDropOffChart(REPORT);
    expect(svg).to.include('>iOS 2.0.1<');
    expect(svg).to.include('>Android 2.1.0<');
    expect(svg).to.not.include('Web unknown');
    expect(svg).to.include('1 smaller cohorts are listed in report.md only');
    expect(svg).to.include(`all ${((88 / 390) * 100).toFixed(1)}%`);
    expect(svg).to.include('stroke-dasharray="4 3"');
    expect(svg).to.include('fill="#d9480f"');
  });

  it('marks the 30 s threshold on the watch-time histogram and labels every bin', () => {
    const svg = renderWatchTimeChart(REPORT);
    expect(svg).to.include('30 s threshold');
    expect(svg).to.include('>25–30 s<');
    expect(svg).to.include('>≥ 600 s<');
    expect(svg).to.include('new users (count)');
    // The largest bin holds 54 users: a 0–60 axis in steps of 20.
    expect([...svg.matchAll(/fill="#666">(\d+)<\/text>/g)].map((m) => m[1])).to.deep.equal([
      '0',
      '20',
      '40',
      '60',
    ]);
  });

  it('renders a report without data (no users, no sessions) without NaN', () => {
    const empty: Report = {
      ...REPORT,
      q1: {
        ...REPORT.q1,
        newUsers: 0,
        withSession: 0,
        reached30s: 0,
        pct: null,
        watchTimeHistogram: REPORT.q1.watchTimeHistogram.map((b) => ({ ...b, users: 0 })),
      },
      q2: { ...REPORT.q2, genres: [], overallRate: null, top: null, runnerUp: null, leadZ: null },
      q3: { ...REPORT.q3, cohorts: [], overallRate: null, abnormal: [] },
    };
    expectAccessibleSvg(renderWatchTimeChart(empty), 'Q1');
    expectAccessibleSvg(renderRetentionChart(empty), 'no new user with a first-session genre');
    expectAccessibleSvg(renderDropOffChart(empty), 'no cohort with at least 30 sessions');
  });

  it('is deterministic: the same report gives the same bytes', () => {
    const copy = JSON.parse(JSON.stringify(REPORT)) as Report;
    expect(renderCharts(copy)).to.deep.equal(renderCharts(REPORT));
    const trend = computeTrend('2025-09-09', [REPORT]);
    expect(renderTrendChart(trend)).to.equal(renderTrendChart(computeTrend('2025-09-09', [copy])));
  });
});
