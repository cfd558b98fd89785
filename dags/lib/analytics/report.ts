/**
 * Runs the queries and assembles the report. The report is a pure function of the trusted data
 * and the report date (no clock, stable ordering), so two runs over the same data are identical.
 */
import type { DuckDBConnection, Json } from '@duckdb/node-api';
import { PARTITIONS_SQL, Q1_SQL, Q2_SQL, Q3_SQL, WINDOW_SQL } from './queries.js';
import { twoProportionZ, wilsonInterval } from './stats.js';

export const TRUSTED_TABLES = ['users', 'videos', 'devices', 'events'] as const;
export type TrustedTable = (typeof TRUSTED_TABLES)[number];

/** Thresholds of the definitions in docs/analytics.md. */
export const THRESHOLDS = {
  q1WatchSeconds: 30,
  q2WindowHours: 72,
  q2MinUsers: 5,
  q3WindowDays: 4,
  q3DropOffSeconds: 10,
  q3MinSessions: 30,
  q3MinZ: 3,
} as const;

export interface GenreRetention {
  readonly genre: string;
  readonly users: number;
  readonly retained: number;
  readonly rate: number;
  /** Wilson 95% interval of the rate. */
  readonly ci95: readonly [number, number];
}

export interface CohortKey {
  readonly deviceOs: string;
  readonly appVersion: string;
}

export interface DropOffCohort extends CohortKey {
  readonly sessions: number;
  readonly dropOffs: number;
  readonly rate: number;
  /** One-sided two-proportion z-score of this cohort's rate against all other sessions. */
  readonly z: number;
  readonly abnormal: boolean;
}

export interface Report {
  readonly reportDate: string;
  /** Ingestion dates read, per trusted table. */
  readonly partitionsRead: Readonly<Record<TrustedTable, readonly string[]>>;
  readonly q1: {
    readonly newUsers: number;
    readonly withSession: number;
    readonly reached30s: number;
    /** A percentage: 1.0 means 1.0 %. */
    readonly pct: number;
  };
  readonly q2: {
    readonly windowHours: number;
    readonly windowComplete: boolean;
    /** The data must reach this instant for the Q2 and Q3 windows to be complete. */
    readonly windowRequiredUntil: string;
    readonly latestEventTs: string | null;
    readonly genres: readonly GenreRetention[];
    /** Highest rate among genres with at least q2MinUsers users; null when none qualifies. */
    readonly top: string | null;
  };
  readonly q3: {
    readonly windowStart: string;
    readonly windowEnd: string;
    readonly cohorts: readonly DropOffCohort[];
    readonly abnormal: readonly CohortKey[];
  };
}

type Row = Record<string, Json>;

function field(row: Row, key: string): Json {
  if (!(key in row)) throw new TypeError(`analytics: result row has no column "${key}"`);
  return row[key]!;
}
function int(row: Row, key: string): number {
  const value = field(row, key);
  if (typeof value !== 'number') throw new TypeError(`analytics: column "${key}" is not a number`);
  return value;
}
function text(row: Row, key: string): string {
  const value = field(row, key);
  if (typeof value !== 'string') throw new TypeError(`analytics: column "${key}" is not a string`);
  return value;
}

/** Shown for an optional text column left empty (NULL in trusted): the row still counts, under this label. */
export const MISSING_GENRE = '(no genre)';
export const MISSING_VALUE = '(unknown)';

function label(row: Row, key: string, missing: string): string {
  return field(row, key) === null ? missing : text(row, key);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export async function computeReport(connection: DuckDBConnection, reportDate: string): Promise<Report> {
  const startMs = Date.parse(`${reportDate}T00:00:00Z`);
  // The round trip rejects impossible dates such as 2025-02-30, which Date.parse rolls over.
  if (
    !DATE_RE.test(reportDate) ||
    Number.isNaN(startMs) ||
    new Date(startMs).toISOString().slice(0, 10) !== reportDate
  ) {
    throw new RangeError(`computeReport: reportDate must be YYYY-MM-DD, got "${reportDate}"`);
  }
  const params = { report_date: reportDate };
  const rows = async (sql: string, withParams = true): Promise<Row[]> =>
    (await connection.runAndReadAll(sql, withParams ? params : undefined)).getRowObjectsJson();

  const partitionsRead: Record<TrustedTable, string[]> = { users: [], videos: [], devices: [], events: [] };
  for (const row of await rows(PARTITIONS_SQL, false)) {
    partitionsRead[text(row, 'table_name') as TrustedTable].push(text(row, 'ingestion_date'));
  }

  const q1Row = (await rows(Q1_SQL))[0]!;
  const newUsers = int(q1Row, 'new_users');
  const reached30s = int(q1Row, 'reached_30s');

  const genres: GenreRetention[] = (await rows(Q2_SQL)).map((row) => {
    const users = int(row, 'users');
    const retained = int(row, 'retained');
    return {
      genre: label(row, 'genre', MISSING_GENRE),
      users,
      retained,
      rate: retained / users,
      ci95: wilsonInterval(retained, users),
    };
  });
  genres.sort((a, b) => b.rate - a.rate || b.users - a.users || (a.genre < b.genre ? -1 : 1));
  const top = genres.find((g) => g.users >= THRESHOLDS.q2MinUsers)?.genre ?? null;

  const windowRow = (await rows(WINDOW_SQL))[0]!;
  const latest = field(windowRow, 'latest_event_ts');

  const counts = (await rows(Q3_SQL)).map((row) => ({
    deviceOs: label(row, 'device_os', MISSING_VALUE),
    appVersion: label(row, 'app_version', MISSING_VALUE),
    sessions: int(row, 'sessions'),
    dropOffs: int(row, 'drop_offs'),
  }));
  const totalSessions = counts.reduce((sum, c) => sum + c.sessions, 0);
  const totalDropOffs = counts.reduce((sum, c) => sum + c.dropOffs, 0);
  const cohorts: DropOffCohort[] = counts.map((c) => {
    const z = twoProportionZ(c.dropOffs, c.sessions, totalDropOffs - c.dropOffs, totalSessions - c.sessions);
    const abnormal = c.sessions >= THRESHOLDS.q3MinSessions && z >= THRESHOLDS.q3MinZ;
    return { ...c, rate: c.dropOffs / c.sessions, z, abnormal };
  });
  cohorts.sort(
    (a, b) =>
      b.rate - a.rate ||
      (a.deviceOs < b.deviceOs ? -1 : a.deviceOs > b.deviceOs ? 1 : 0) ||
      (a.appVersion < b.appVersion ? -1 : a.appVersion > b.appVersion ? 1 : 0),
  );

  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return {
    reportDate,
    partitionsRead,
    q1: {
      newUsers,
      withSession: int(q1Row, 'with_session'),
      reached30s,
      pct: newUsers === 0 ? 0 : (100 * reached30s) / newUsers,
    },
    q2: {
      windowHours: THRESHOLDS.q2WindowHours,
      windowComplete: field(windowRow, 'complete') === true,
      windowRequiredUntil: text(windowRow, 'required_until'),
      latestEventTs: typeof latest === 'string' ? latest : null,
      genres,
      top,
    },
    q3: {
      windowStart: iso(startMs),
      windowEnd: iso(startMs + THRESHOLDS.q3WindowDays * 86_400_000),
      cohorts,
      abnormal: cohorts
        .filter((c) => c.abnormal)
        .map(({ deviceOs, appVersion }) => ({ deviceOs, appVersion })),
    },
  };
}
