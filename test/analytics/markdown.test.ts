import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  BASE_CTES,
  CHART_FILES,
  computeTrend,
  PARTITIONS_SQL,
  Q1_SQL,
  Q1_WATCH_SQL,
  Q2_SQL,
  Q3_SQL,
  type Report,
  renderAnswers,
  renderReportMarkdown,
  WINDOW_SQL,
} from '../../dags/lib/analytics/index.js';
import { REPORT } from './support/report-fixture.js';

describe('report rendering', () => {
  it('prints the status and three answer lines for the terminal, saying when the lead is not clear', () => {
    expect(renderAnswers(REPORT).split('\n')).to.deep.equal([
      'Report 2025-09-09: final (every partition its windows need was read)',
      'Q1  1.0% of 100 new users reached 30 s in their first session (1)',
      'Q2  top genre for 72 h 2nd-session retention: Comedy leads with 75.0% (15/20, 95% CI 53.1%–88.8%), ' +
        'not significantly ahead of Romance (50.0%; z 1.63 < 1.645)',
      'Q3  abnormal drop-off: iOS 2.0.1 62.5% of 80 sessions (z 5.10)',
    ]);
    const provisional = renderAnswers({
      ...REPORT,
      status: 'provisional',
      partitionsMissing: { ...REPORT.partitionsMissing, events: ['2025-09-12', '2025-09-10', '2025-09-13'] },
      q2: { ...REPORT.q2, windowComplete: false },
    });
    expect(provisional.split('\n')[0]).to.equal(
      'Report 2025-09-09: provisional (waiting for partitions 2025-09-10 … 2025-09-13)',
    );
  });

  it('says a clear lead is clear, and a lone eligible genre is alone', () => {
    const clear: Report = { ...REPORT, q2: { ...REPORT.q2, leadZ: 2.5, clearWinner: true } };
    expect(renderAnswers(clear)).to.include(
      'Comedy leads with 75.0% (15/20, 95% CI 53.1%–88.8%), clearly ahead of Romance (50.0%; z 2.50 ≥ 1.645)',
    );
    const alone: Report = { ...REPORT, q2: { ...REPORT.q2, runnerUp: null, leadZ: null } };
    expect(renderAnswers(alone)).to.include('Comedy leads with 75.0%');
    expect(renderAnswers(alone)).to.include('the only genre with at least 5 users');
    const none: Report = { ...REPORT, q2: { ...REPORT.q2, top: null, runnerUp: null, leadZ: null } };
    expect(renderAnswers(none)).to.include('no genre has at least 5 users');
  });

  it('renders Q1 without new users as n/a, never 0.0%', () => {
    const empty: Report = {
      ...REPORT,
      q1: { ...REPORT.q1, newUsers: 0, withSession: 0, reached30s: 0, pct: null },
    };
    expect(renderAnswers(empty).split('\n')[1]).to.equal('Q1  no new users signed up on 2025-09-09');
    const md = renderReportMarkdown(empty);
    expect(md).to.include('**n/a**: no user signed up on 2025-09-09 (UTC).');
    expect(md).to.not.include('0.0%**');
  });

  it('renders Markdown with tables and links to the chart files', () => {
    const md = renderReportMarkdown(REPORT, { chartDir: 'charts/' });
    expect(md).to.include(`![Q1 first-session watch time](charts/${CHART_FILES.q1})`);
    expect(md).to.include(`![Q2 retention by genre](charts/${CHART_FILES.q2})`);
    expect(md).to.include(`![Q3 drop-off by cohort](charts/${CHART_FILES.q3})`);
    expect(md).to.include('| 10 s to < 15 s | 54 |');
    expect(md).to.include('| ≥ 600 s | 0 |');
    expect(md).to.include('| Comedy | 20 | 15 | 75.0% | 53.1%–88.8% |');
    expect(md).to.include('it is **not**.');
    expect(md).to.include('| iOS | 2.0.1 | 80 | 50 | 62.5% | 51.5%–72.3% | 5.10 | **yes** |');
    expect(md).to.not.include('<svg');
    expect(md).to.not.include('Trend');
  });

  it('puts cohorts under the session minimum in their own table, without z', () => {
    const md = renderReportMarkdown(REPORT);
    const [eligible, small] = md.split('Cohorts with fewer than 30 sessions');
    expect(eligible).to.not.include('| Web | unknown |');
    expect(small).to.include('| Web | unknown | 10 | 2 | 20.0% | 5.7%–51.0% |');
  });

  it('renders the data-quality section, n/a where the lake has no count', () => {
    const md = renderReportMarkdown(REPORT);
    expect(md).to.include('## Data quality');
    expect(md).to.include('| users | 1 | n/a | 98 | 3 | bad_timestamp 1, missing_required 2 | n/a |');
    expect(md).to.include('| events | 1 | 5010 | 5000 | 0 | — | 10 |');
  });

  it('adds the trend section only when given a trend', () => {
    const trend = computeTrend('2025-09-09', [REPORT]);
    const md = renderReportMarkdown(REPORT, { trend });
    expect(md).to.include('## Trend — 2025-08-27 to 2025-09-09');
    expect(md).to.include(`![Trend of Q1–Q3](${CHART_FILES.trend})`);
    expect(md).to.include('| 2025-09-09 | 1.0% | Comedy | 75.0% | no | iOS 2.0.1 |');
  });

  it('keeps docs/analytics.md quoting the SQL that runs', () => {
    const doc = readFileSync(new URL('../../docs/analytics.md', import.meta.url), 'utf8');
    for (const [name, sql] of Object.entries({
      BASE_CTES,
      Q1_SQL,
      Q1_WATCH_SQL,
      Q2_SQL,
      Q3_SQL,
      PARTITIONS_SQL,
      WINDOW_SQL,
    })) {
      expect(doc, name).to.include(name === 'BASE_CTES' ? sql : sql.replace(BASE_CTES, '<BASE_CTES>'));
    }
  });
});
