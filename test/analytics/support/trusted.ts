/**
 * Builds the trusted tables (names and types of the pipeline's contract) directly from the
 * generator's clean records, so the analytics can be tested without the pipeline.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { QUARANTINE_TABLE_SQL } from '../../../dags/lib/analytics/index.js';
import type { DayRecords } from '../../../scripts/generate/index.js';

/** `YYYY-MM-DD HH:MM:SS` in UTC: what a naive TIMESTAMP column holds. */
export function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

const COLUMNS = {
  users: {
    user_id: 'VARCHAR',
    signup_ts: 'TIMESTAMP',
    country: 'VARCHAR',
    plan: 'VARCHAR',
    email_sha256: 'VARCHAR',
    ingestion_date: 'DATE',
  },
  videos: {
    video_id: 'VARCHAR',
    title: 'VARCHAR',
    genre: 'VARCHAR',
    duration_s: 'BIGINT',
    published_at: 'TIMESTAMP',
    ingestion_date: 'DATE',
  },
  devices: {
    device_id: 'VARCHAR',
    user_id: 'VARCHAR',
    device_os: 'VARCHAR',
    os_version: 'VARCHAR',
    app_version: 'VARCHAR',
    model: 'VARCHAR',
    ingestion_date: 'DATE',
  },
  events: {
    event_id: 'VARCHAR',
    event_ts: 'TIMESTAMP',
    user_id: 'VARCHAR',
    device_id: 'VARCHAR',
    session_id: 'VARCHAR',
    event_type: 'VARCHAR',
    video_id: 'VARCHAR',
    watch_time: 'DOUBLE',
    event_date: 'DATE',
    ingestion_date: 'DATE',
  },
} as const;

type Table = keyof typeof COLUMNS;

function rowsOf(day: DayRecords): Record<Table, Record<string, string | number | null>[]> {
  const d = day.ingestionDate;
  return {
    users: day.users.map((u) => ({
      user_id: u.userId,
      signup_ts: sqlTimestamp(u.signupMs),
      country: u.country,
      plan: u.plan,
      email_sha256: createHash('sha256').update(u.email).digest('hex'),
      ingestion_date: d,
    })),
    videos: day.videos.map((v) => ({
      video_id: v.videoId,
      title: v.title,
      genre: v.genre,
      duration_s: v.durationS,
      published_at: sqlTimestamp(v.publishedMs),
      ingestion_date: d,
    })),
    devices: day.devices.map((x) => ({
      device_id: x.deviceId,
      user_id: x.userId,
      device_os: x.deviceOs,
      os_version: x.osVersion,
      app_version: x.appVersion,
      model: x.model,
      ingestion_date: d,
    })),
    events: day.events.map((e) => ({
      event_id: e.eventId,
      event_ts: sqlTimestamp(e.eventMs),
      user_id: e.userId,
      device_id: e.deviceId,
      session_id: e.sessionId,
      event_type: e.eventType,
      video_id: e.videoId,
      watch_time: e.watchTime,
      event_date: sqlTimestamp(e.eventMs).slice(0, 10),
      ingestion_date: d,
    })),
  };
}

/**
 * Creates tables users, videos, devices, events holding every given ingestion partition, and an
 * empty quarantine table (tests insert the rejects they need).
 */
export async function loadTrusted(
  connection: DuckDBConnection,
  days: readonly DayRecords[],
  dir: string,
): Promise<void> {
  const byTable: Record<Table, string[]> = { users: [], videos: [], devices: [], events: [] };
  for (const day of days) {
    const rows = rowsOf(day);
    for (const table of Object.keys(byTable) as Table[]) {
      for (const row of rows[table]) byTable[table].push(JSON.stringify(row));
    }
  }
  for (const table of Object.keys(byTable) as Table[]) {
    const path = join(dir, `${table}.jsonl`);
    writeFileSync(path, `${byTable[table].join('\n')}\n`);
    const columns = Object.entries(COLUMNS[table])
      .map(([name, type]) => `${name}: '${type}'`)
      .join(', ');
    await connection.run(
      `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM read_json('${path.replaceAll("'", "''")}', format = 'newline_delimited', columns = {${columns}})`,
    );
  }
  await connection.run(QUARANTINE_TABLE_SQL);
}
