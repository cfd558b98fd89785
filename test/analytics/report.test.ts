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
    expect(c.z, `${c.deviceOs} ${c.appVersion}`).to.be.closeTo(
      ref.q3.cohorts.get(`${c.deviceOs} ${c.appVersion}`)!.z,
      1e-9,
    );
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

  it('counts videos without a genre and devices without an app version under a label, instead of failing', async () => {
    const [first, second] = days;
    // Optional fields left empty: NULL in the trusted tables, as the pipeline writes them.
    const blank = (d: DayRecords): DayRecords => ({
      ...d,
      videos: d.videos.map((v) => ({ ...v, genre: null as unknown as typeof v.genre })),
      devices: d.devices.map((x) => ({ ...x, appVersion: null as unknown as string })),
    });
    const base = await withTrusted([first!, second!], (c) => computeReport(c, '2025-10-01'));
    const report = await withTrusted([blank(first!), blank(second!)], (c) => computeReport(c, '2025-10-01'));
    expect(report.q2.genres.map((g) => g.genre)).to.deep.equal(['(no genre)']);
    const users = (r: Report) => r.q2.genres.reduce((sum, g) => sum + g.users, 0);
    expect(users(report)).to.equal(users(base));
    expect(new Set(report.q3.cohorts.map((c) => c.appVersion))).to.deep.equal(new Set(['(unknown)']));
    expect(report.q1).to.deep.equal(base.q1);
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
