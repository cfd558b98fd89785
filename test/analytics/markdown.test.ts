import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  BASE_CTES,
  CHART_FILES,
  PARTITIONS_SQL,
  Q1_SQL,
  Q2_SQL,
  Q3_SQL,
  type Report,
  renderAnswers,
  renderCharts,
  renderReportMarkdown,
  WINDOW_SQL,
} from '../../dags/lib/analytics/index.js';

const REPORT: Report = {
  reportDate: '2025-09-09',
  partitionsRead: {
    users: ['2025-09-09'],
    videos: ['2025-09-09'],
    devices: ['2025-09-09'],
    events: ['2025-09-09'],
  },
  q1: { newUsers: 100, withSession: 95, reached30s: 1, pct: 1 },
  q2: {
    windowHours: 72,
    windowComplete: true,
    windowRequiredUntil: '2025-09-13T00:01:40Z',
    latestEventTs: '2025-09-15T13:55:18Z',
    genres: [
      { genre: 'Comedy', users: 20, retained: 15, rate: 0.75, ci95: [0.5313, 0.8881] },
      { genre: 'Drama <&>', users: 4, retained: 4, rate: 1, ci95: [0.5101, 1] },
    ],
    top: 'Comedy',
  },
  q3: {
    windowStart: '2025-09-09T00:00:00Z',
    windowEnd: '2025-09-13T00:00:00Z',
    cohorts: [
      {
        deviceOs: 'iOS',
        appVersion: '2.0.1',
        sessions: 80,
        dropOffs: 50,
        rate: 0.625,
        z: 5.1,
        abnormal: true,
      },
      {
        deviceOs: 'Android',
        appVersion: '2.1.0',
        sessions: 300,
        dropOffs: 36,
        rate: 0.12,
        z: -5.1,
        abnormal: false,
      },
    ],
    abnormal: [{ deviceOs: 'iOS', appVersion: '2.0.1' }],
  },
};

describe('report rendering', () => {
  it('prints three answer lines for the terminal', () => {
    expect(renderAnswers(REPORT).split('\n')).to.deep.equal([
      'Q1  1.0% of 100 new users reached 30 s in their first session (1)',
      'Q2  top genre for 72 h 2nd-session retention: Comedy 75.0% (15/20, 95% CI 53.1%–88.8%)',
      'Q3  abnormal drop-off: iOS 2.0.1 62.5% of 80 sessions (z 5.10)',
    ]);
    const incomplete = renderAnswers({ ...REPORT, q2: { ...REPORT.q2, windowComplete: false } });
    expect(incomplete).to.include('[window incomplete]');
  });

  it('renders Markdown with tables and links to the chart files', () => {
    const md = renderReportMarkdown(REPORT, { chartDir: 'charts/' });
    expect(md).to.include(`![Q2 retention by genre](charts/${CHART_FILES.q2})`);
    expect(md).to.include(`![Q3 drop-off by cohort](charts/${CHART_FILES.q3})`);
    expect(md).to.include('| Comedy | 20 | 15 | 75.0% | 53.1%–88.8% |');
    expect(md).to.include('| iOS | 2.0.1 | 80 | 50 | 62.5% | 5.10 | **yes** |');
    expect(md).to.not.include('<svg');
  });

  it('renders standalone SVG charts with escaped labels and no NaN', () => {
    const charts = renderCharts(REPORT);
    expect(Object.keys(charts).sort()).to.deep.equal([CHART_FILES.q2, CHART_FILES.q3].sort());
    for (const svg of Object.values(charts)) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
      expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
      expect(svg).to.not.include('NaN');
    }
    expect(charts[CHART_FILES.q2]).to.include('Drama &lt;&amp;&gt;');
    expect(charts[CHART_FILES.q3]).to.include('fill="#d9480f"');
  });

  it('keeps docs/analytics.md quoting the SQL that runs', () => {
    const doc = readFileSync(new URL('../../docs/analytics.md', import.meta.url), 'utf8');
    for (const [name, sql] of Object.entries({
      BASE_CTES,
      Q1_SQL,
      Q2_SQL,
      Q3_SQL,
      PARTITIONS_SQL,
      WINDOW_SQL,
    })) {
      expect(doc, name).to.include(name === 'BASE_CTES' ? sql : sql.replace(BASE_CTES, '<BASE_CTES>'));
    }
  });
});
