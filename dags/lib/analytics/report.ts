/**
 * Runs the queries and assembles the report. The report is a pure function of the trusted data,
 * the quarantine rows, the report date and the options (no clock, stable ordering), so two runs
 * over the same partitions are identical.
 */
import type { DuckDBConnection, Json } from '@duckdb/node-api';
import { type CohortKey, type DropOffCohort, dropOffAnswer } from './dropoff.js';
import { type HistogramBin, watchTimeHistogram } from './histogram.js';
import { missingPartitions } from './inputs.js';
import { computeQuality, type DataQuality, type SuppliedQuality } from './quality.js';
import { PARTITIONS_SQL, Q1_SQL, Q1_WATCH_SQL, Q2_SQL, Q3_SQL, WINDOW_SQL } from './queries.js';
import { type RetentionAnswer, retentionAnswer } from './retention.js';
import { type PartitionsByTable, TRUSTED_TABLES, type TrustedTable } from './tables.js';

export type { CohortKey, DropOffCohort } from './dropoff.js';
export type { GenreRetention } from './retention.js';
export { type PartitionsByTable, TRUSTED_TABLES, type TrustedTable } from './tables.js';

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

export interface Report {
  readonly reportDate: string;
  /**
   * `final` once every table has each ingestion date D … D+4 its windows need; `provisional` before (a
   * later partition can still change the answers, and the DAG's schedule recomputes the report when it lands).
   */
  readonly status: 'provisional' | 'final';
  /** Ingestion dates read, per trusted table. */
  readonly partitionsRead: Readonly<Record<TrustedTable, readonly string[]>>;
  /** Ingestion dates among D … D+4 not read yet, per table: empty everywhere when final. */
  readonly partitionsMissing: Readonly<Record<TrustedTable, readonly string[]>>;
  readonly q1: {
    readonly newUsers: number;
    readonly withSession: number;
    readonly reached30s: number;
    /** A percentage: 1.0 means 1.0 %; null when there are no new users. */
    readonly pct: number | null;
    /** First-session watch time of the users with a session (sums to withSession); bins in histogram.ts. */
    readonly watchTimeHistogram: readonly HistogramBin[];
  };
  /** The Q2 answer (retentionAnswer) with the window it covers. */
  readonly q2: {
    readonly windowHours: number;
    /** The Q2 and Q3 windows are covered: every partition D … D+4 was read (status final). */
    readonly windowComplete: boolean;
    /** Where the Q2 and Q3 windows end (the later of D + 4 days and the last first session + 72 h). */
    readonly windowRequiredUntil: string;
    readonly latestEventTs: string | null;
  } & RetentionAnswer;
  readonly q3: {
    readonly windowStart: string;
    readonly windowEnd: string;
    /** Drop-offs / sessions over all cohorts; null without sessions. */
    readonly overallRate: number | null;
    readonly cohorts: readonly DropOffCohort[];
    readonly abnormal: readonly CohortKey[];
  };
  /** Rows written / quarantined (by reason) / duplicates per dataset, over the partitions read. */
  readonly dataQuality: DataQuality;
}

export interface ReportOptions {
  /**
   * The ingestion dates staged, per table (from the objects read, so an empty partition counts); they are the
   * report's partitionsRead and what the data-quality figures cover. @default the dates found in the tables
   */
  readonly partitions?: PartitionsByTable;
  /** Counts the lake does not keep (duplicates dropped), per table and ingestion date. */
  readonly quality?: SuppliedQuality;
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

/** Q3's cohort label for a device whose optional device_os / app_version is empty (NULL in trusted). */
export const MISSING_VALUE = 'unknown';

function label(row: Row, key: string, missing: string): string {
  return field(row, key) === null ? missing : text(row, key);
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the relations users, videos, devices, events (trusted) and quarantine (QUARANTINE_TABLE_SQL).
 */
export async function computeReport(
  connection: DuckDBConnection,
  reportDate: string,
  options: ReportOptions = {},
): Promise<Report> {
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

  const found: Record<TrustedTable, string[]> = { users: [], videos: [], devices: [], events: [] };
  if (!options.partitions) {
    for (const row of await rows(PARTITIONS_SQL, false)) {
      found[text(row, 'table_name') as TrustedTable].push(text(row, 'ingestion_date'));
    }
  }
  const given = options.partitions;
  const partitionsRead: PartitionsByTable = given
    ? {
        users: [...given.users].sort(),
        videos: [...given.videos].sort(),
        devices: [...given.devices].sort(),
        events: [...given.events].sort(),
      }
    : found;
  const partitionsMissing = missingPartitions(reportDate, partitionsRead);
  const final = TRUSTED_TABLES.every((t) => partitionsMissing[t].length === 0);

  const q1Row = (await rows(Q1_SQL))[0]!;
  const newUsers = int(q1Row, 'new_users');
  const reached30s = int(q1Row, 'reached_30s');

  const watchTimes = (await rows(Q1_WATCH_SQL)).map((row) => ({
    watchTime: int(row, 'watch_time'),
    users: int(row, 'users'),
  }));

  const q2 = retentionAnswer(
    (await rows(Q2_SQL)).map((row) => ({
      genre: text(row, 'genre'),
      users: int(row, 'users'),
      retained: int(row, 'retained'),
    })),
    THRESHOLDS.q2MinUsers,
  );

  const windowRow = (await rows(WINDOW_SQL))[0]!;
  const latest = field(windowRow, 'latest_event_ts');

  const counts = (await rows(Q3_SQL)).map((row) => ({
    deviceOs: label(row, 'device_os', MISSING_VALUE),
    appVersion: label(row, 'app_version', MISSING_VALUE),
    sessions: int(row, 'sessions'),
    dropOffs: int(row, 'drop_offs'),
  }));
  const q3 = dropOffAnswer(counts, { minSessions: THRESHOLDS.q3MinSessions, minZ: THRESHOLDS.q3MinZ });
  const dataQuality = await computeQuality(connection, partitionsRead, options.quality);

  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return {
    reportDate,
    status: final ? 'final' : 'provisional',
    partitionsRead,
    partitionsMissing,
    q1: {
      newUsers,
      withSession: int(q1Row, 'with_session'),
      reached30s,
      pct: newUsers === 0 ? null : (100 * reached30s) / newUsers,
      watchTimeHistogram: watchTimeHistogram(watchTimes),
    },
    q2: {
      windowHours: THRESHOLDS.q2WindowHours,
      windowComplete: final,
      windowRequiredUntil: text(windowRow, 'required_until'),
      latestEventTs: typeof latest === 'string' ? latest : null,
      ...q2,
    },
    q3: {
      windowStart: iso(startMs),
      windowEnd: iso(startMs + THRESHOLDS.q3WindowDays * 86_400_000),
      overallRate: q3.overallRate,
      cohorts: q3.cohorts,
      abnormal: q3.cohorts
        .filter((c) => c.abnormal)
        .map(({ deviceOs, appVersion }) => ({ deviceOs, appVersion })),
    },
    dataQuality,
  };
}
