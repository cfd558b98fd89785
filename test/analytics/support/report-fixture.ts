/** A hand-written Report for the rendering tests: two genres, one eligible and one small cohort. */
import type { DatasetQuality, Report } from '../../../dags/lib/analytics/index.js';
import { watchTimeHistogram } from '../../../dags/lib/analytics/index.js';

const quality = (written: number): DatasetQuality => ({
  partitions: ['2025-09-09'],
  rowsRead: null,
  rowsWritten: written,
  quarantined: 0,
  quarantinedByReason: {},
  duplicatesDropped: null,
});

export const REPORT: Report = {
  reportDate: '2025-09-09',
  status: 'final',
  partitionsRead: {
    users: ['2025-09-09'],
    videos: ['2025-09-09'],
    devices: ['2025-09-09'],
    events: ['2025-09-09'],
  },
  partitionsMissing: { users: [], videos: [], devices: [], events: [] },
  q1: {
    newUsers: 100,
    withSession: 95,
    reached30s: 1,
    pct: 1,
    watchTimeHistogram: watchTimeHistogram([
      { watchTime: 3, users: 40 },
      { watchTime: 12, users: 54 },
      { watchTime: 160, users: 1 },
    ]),
  },
  q2: {
    windowHours: 72,
    windowComplete: true,
    windowRequiredUntil: '2025-09-13T00:01:40Z',
    latestEventTs: '2025-09-15T13:55:18Z',
    genres: [
      { genre: 'Drama <&>', users: 4, retained: 4, rate: 1, ci95: [0.5101, 1] },
      { genre: 'Comedy', users: 20, retained: 15, rate: 0.75, ci95: [0.5313, 0.8881] },
      { genre: 'Romance', users: 20, retained: 10, rate: 0.5, ci95: [0.2993, 0.7007] },
    ],
    overallRate: 29 / 44,
    top: 'Comedy',
    runnerUp: 'Romance',
    leadZ: 1.633,
    clearWinner: false,
  },
  q3: {
    windowStart: '2025-09-09T00:00:00Z',
    windowEnd: '2025-09-13T00:00:00Z',
    overallRate: 88 / 390,
    cohorts: [
      {
        deviceOs: 'iOS',
        appVersion: '2.0.1',
        sessions: 80,
        dropOffs: 50,
        rate: 0.625,
        ci95: [0.5155, 0.7229],
        eligible: true,
        z: 5.1,
        abnormal: true,
      },
      {
        deviceOs: 'Web',
        appVersion: 'unknown',
        sessions: 10,
        dropOffs: 2,
        rate: 0.2,
        ci95: [0.0567, 0.5098],
        eligible: false,
        z: null,
        abnormal: false,
      },
      {
        deviceOs: 'Android',
        appVersion: '2.1.0',
        sessions: 300,
        dropOffs: 36,
        rate: 0.12,
        ci95: [0.0879, 0.1619],
        eligible: true,
        z: -5.1,
        abnormal: false,
      },
    ],
    abnormal: [{ deviceOs: 'iOS', appVersion: '2.0.1' }],
  },
  dataQuality: {
    users: { ...quality(98), quarantined: 3, quarantinedByReason: { bad_timestamp: 1, missing_required: 2 } },
    videos: quality(120),
    devices: quality(110),
    events: { ...quality(5000), rowsRead: 5010, duplicatesDropped: 10 },
  },
};
