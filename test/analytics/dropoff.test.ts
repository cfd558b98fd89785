import { expect } from 'chai';
import {
  computeReport,
  dropOffAnswer,
  MISSING_VALUE,
  twoProportionZ,
  wilsonInterval,
} from '../../dags/lib/analytics/index.js';
import { withTrusted } from './support/duckdb.js';
import { alike, handmadeDay } from './support/handmade.js';

const DATE = '2025-10-01';
const THRESHOLDS = { minSessions: 30, minZ: 3 };

describe('Q3 drop-off answer', () => {
  it('gives a z only to cohorts with enough sessions, and an interval to every cohort', () => {
    const answer = dropOffAnswer(
      [
        { deviceOs: 'iOS', appVersion: '2.0.1', sessions: 40, dropOffs: 30 },
        { deviceOs: 'Android', appVersion: '2.1.0', sessions: 200, dropOffs: 20 },
        { deviceOs: 'TV', appVersion: '1.0.0', sessions: 5, dropOffs: 5 },
      ],
      THRESHOLDS,
    );
    const [tv, ios, android] = answer.cohorts;
    expect(tv).to.include({ deviceOs: 'TV', eligible: false, z: null, abnormal: false, rate: 1 });
    expect(tv!.ci95).to.deep.equal(wilsonInterval(5, 5));
    expect(ios).to.include({ deviceOs: 'iOS', eligible: true, abnormal: true });
    // Against all other sessions, the small cohort included.
    expect(ios!.z).to.be.closeTo(twoProportionZ(30, 40, 25, 205), 1e-12);
    expect(android).to.include({ eligible: true, abnormal: false });
    expect(android!.z!).to.be.below(0);
    expect(answer.overallRate).to.be.closeTo(55 / 245, 1e-12);
    expect(dropOffAnswer([], THRESHOLDS)).to.deep.equal({ cohorts: [], overallRate: null });
  });

  it('counts devices without an app version in the cohort "unknown"', async () => {
    const day = handmadeDay(DATE, [
      ...alike(3, 0, [['Drama', 5]], ['Web', null]),
      ...alike(2, 0, [['Drama', 40]], ['Web', '2.0.0']),
    ]);
    const report = await withTrusted([day], (c) => computeReport(c, DATE));
    expect(MISSING_VALUE).to.equal('unknown');
    expect(
      report.q3.cohorts.map((c) => [c.deviceOs, c.appVersion, c.sessions, c.dropOffs, c.z]),
    ).to.deep.equal([
      ['Web', 'unknown', 3, 3, null],
      ['Web', '2.0.0', 2, 0, null],
    ]);
  });
});
