import { expect } from 'chai';
import { computeReport, type Report } from '../../dags/lib/analytics/index.js';
import {
  type DayRecords,
  DEFAULT_OPTIONS,
  DEFAULT_SIGNALS,
  type GeneratorOptions,
  generateDays,
} from '../../scripts/generate/index.js';
import { withTrusted } from './support/duckdb.js';
import { referenceAnswers } from './support/reference.js';

/** Other seed, other size, other planted signals than the committed sample. */
const OPTIONS: GeneratorOptions = {
  ...DEFAULT_OPTIONS,
  seed: 'analytics-test',
  usersPerDay: 120,
  signals: {
    ...DEFAULT_SIGNALS,
    q1ReachRate: 0.05,
    topGenre: 'Horror',
    topGenreRetention: 0.8,
    abnormalCohort: { deviceOs: 'Android', appVersion: '3.1.0' },
  },
};

function expectMatchesReference(report: Report, days: readonly DayRecords[], reportDate: string): void {
  const ref = referenceAnswers(days, reportDate);
  expect(report.q1.newUsers).to.equal(ref.q1.newUsers);
  expect(report.q1.reached30s).to.equal(ref.q1.reached30s);
  expect(report.q1.pct).to.be.closeTo((100 * ref.q1.reached30s) / ref.q1.newUsers, 1e-9);
  const genres = Object.fromEntries(
    report.q2.genres.map((g) => [g.genre, { users: g.users, retained: g.retained }]),
  );
  expect(genres).to.deep.equal(Object.fromEntries(ref.q2.genres));
  expect(report.q2.top).to.equal(ref.q2.top);
  const cohorts = Object.fromEntries(
    report.q3.cohorts.map((c) => [
      `${c.deviceOs} ${c.appVersion}`,
      { sessions: c.sessions, dropOffs: c.dropOffs },
    ]),
  );
  expect(cohorts).to.deep.equal(
    Object.fromEntries(
      [...ref.q3.cohorts].map(([k, c]) => [k, { sessions: c.sessions, dropOffs: c.dropOffs }]),
    ),
  );
  for (const c of report.q3.cohorts) {
    const refZ = ref.q3.cohorts.get(`${c.deviceOs} ${c.appVersion}`)!.z;
    if (c.sessions >= 30) expect(c.z, `${c.deviceOs} ${c.appVersion}`).to.be.closeTo(refZ, 1e-9);
    else expect(c.z, `${c.deviceOs} ${c.appVersion}`).to.equal(null);
  }
  expect(report.q3.abnormal.map((c) => `${c.deviceOs} ${c.appVersion}`).sort()).to.deep.equal(
    ref.q3.abnormal,
  );
}

describe('analytics report', () => {
  const days = generateDays('2025-10-01', '2025-10-05', OPTIONS).map((d) => d.records);

  it('matches answers computed independently in TypeScript, for every report date', async () => {
    await withTrusted(days, async (connection) => {
      for (const date of ['2025-10-01', '2025-10-02', '2025-10-03']) {
        expectMatchesReference(await computeReport(connection, date), days, date);
      }
    });
  });

  it('recovers the planted signals: 5% reach 30 s, top genre Horror, abnormal Android 3.1.0', async () => {
    const report = await withTrusted(days, (connection) => computeReport(connection, '2025-10-01'));
    expect(report.q1).to.include({ newUsers: 120, reached30s: 6, pct: 5 });
    expect(report.q2.top).to.equal('Horror');
    expect(report.q2.windowComplete).to.equal(true);
    expect(report.q3.abnormal).to.deep.equal([{ deviceOs: 'Android', appVersion: '3.1.0' }]);
    expect(report.partitionsRead.events).to.deep.equal([
      '2025-10-01',
      '2025-10-02',
      '2025-10-03',
      '2025-10-04',
      '2025-10-05',
    ]);
  });

  it('counts an event once when several ingestion partitions hold it', async () => {
    const [first, second] = days;
    // Re-delivering all of day 1 in day 2 would double every watch time if events were not de-duplicated.
    const replay: DayRecords = { ...second!, events: [...second!.events, ...first!.events] };
    const base = await withTrusted([first!, second!], (c) => computeReport(c, '2025-10-01'));
    const replayed = await withTrusted([first!, replay], (c) => computeReport(c, '2025-10-01'));
    expect(replayed.q1).to.deep.equal(base.q1);
    expect(replayed.q2.genres).to.deep.equal(base.q2.genres);
    expect(replayed.q3.cohorts).to.deep.equal(base.q3.cohorts);
  });

  it('leaves videos without a genre out of Q2 and counts devices without an app version as "unknown"', async () => {
    const [first, second] = days;
    // Optional fields left empty: NULL in the trusted tables, as the pipeline writes them.
    const blank = (d: DayRecords): DayRecords => ({
      ...d,
      videos: d.videos.map((v) => ({ ...v, genre: null as unknown as typeof v.genre })),
      devices: d.devices.map((x) => ({ ...x, appVersion: null as unknown as string })),
    });
    const base = await withTrusted([first!, second!], (c) => computeReport(c, '2025-10-01'));
    const report = await withTrusted([blank(first!), blank(second!)], (c) => computeReport(c, '2025-10-01'));
    expect(report.q2.genres).to.deep.equal([]);
    expect([report.q2.top, report.q2.runnerUp, report.q2.clearWinner]).to.deep.equal([null, null, false]);
    expect(new Set(report.q3.cohorts.map((c) => c.appVersion))).to.deep.equal(new Set(['unknown']));
    const sessions = (r: Report) => r.q3.cohorts.reduce((sum, c) => sum + c.sessions, 0);
    expect(sessions(report)).to.equal(sessions(base));
    expect(report.q1).to.deep.equal(base.q1);
  });

  it('gives Q1 pct null, not 0, on a date without new users', async () => {
    const report = await withTrusted(days.slice(0, 1), (c) => computeReport(c, '2025-09-01'));
    expect(report.q1).to.deep.include({ newUsers: 0, withSession: 0, reached30s: 0, pct: null });
    expect(report.q1.watchTimeHistogram.every((b) => b.users === 0)).to.equal(true);
    expect(report.q2.top).to.equal(null);
  });

  it('gives every cohort an interval, and a z only when it has at least 30 sessions', async () => {
    const report = await withTrusted(days, (c) => computeReport(c, '2025-10-01'));
    expect(report.q3.cohorts.some((c) => !c.eligible)).to.equal(true);
    for (const c of report.q3.cohorts) {
      expect(c.eligible, `${c.deviceOs} ${c.appVersion}`).to.equal(c.sessions >= 30);
      expect(c.z === null).to.equal(!c.eligible);
      expect(c.ci95[0] <= c.rate && c.rate <= c.ci95[1]).to.equal(true);
    }
  });

  it('flags an incomplete window when the events stop before D + 4 days', async () => {
    const cut = Date.parse('2025-10-03T00:00:00Z');
    const early = [{ ...days[0]!, events: days[0]!.events.filter((e) => e.eventMs < cut) }];
    const report = await withTrusted(early, (c) => computeReport(c, '2025-10-01'));
    expect(report.q2.windowComplete).to.equal(false);
    expect(report.q2.latestEventTs! < '2025-10-03T00:00:00Z').to.equal(true);
    expect(report.q2.windowRequiredUntil >= '2025-10-05T00:00:00Z').to.equal(true);
  });

  it('is deterministic and JSON-serialisable', async () => {
    const [a, b] = await withTrusted(days, async (c) => [
      await computeReport(c, '2025-10-02'),
      await computeReport(c, '2025-10-02'),
    ]);
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
    expect(JSON.parse(JSON.stringify(a))).to.deep.equal(a);
  });

  it('rejects a malformed report date with a RangeError', async () => {
    await withTrusted([], async (c) => {
      for (const bad of ['2025-9-9', '2025-02-30', "2025-09-09'; DROP TABLE users; --"]) {
        let error: unknown;
        try {
          await computeReport(c, bad);
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(RangeError);
        expect((error as Error).message).to.equal(
          `computeReport: reportDate must be YYYY-MM-DD, got "${bad}"`,
        );
      }
    });
  });
});
