import { defineSchema, type InferRow } from '@streampro/operators';

/**
 * Schemas of the four StreamPro landing files (the data contract in the README). Emails are replaced by a
 * salted SHA-256; the salt comes from the environment and never appears in logs.
 */

export const usersSchema = defineSchema({
  columns: {
    user_id: { type: 'string', required: true },
    signup_ts: { type: 'timestamp', required: true, requireOffset: true },
    country: { type: 'string', case: 'upper', pattern: '^[A-Z]{2}$' },
    plan: { type: 'string', case: 'lower', allowed: ['free', 'basic', 'premium'] },
    email: { type: 'string', case: 'lower' },
  },
  dedupKey: ['user_id'],
  derived: {
    // Salted so the hash cannot be reversed with a dictionary of known addresses.
    email_sha256: { type: 'string', sql: "sha256(getvariable('email_salt') || email)" },
  },
  drop: ['email'],
});

export const VIDEO_GENRES = [
  'Comedy',
  'Drama',
  'Action',
  'Documentary',
  'Kids',
  'Horror',
  'Romance',
  'Sci-Fi',
] as const;

export const videosSchema = defineSchema({
  columns: {
    video_id: { type: 'string', required: true },
    title: { type: 'string', required: true },
    genre: { type: 'string', canonical: VIDEO_GENRES },
    duration_s: { type: 'integer', required: true, min: 1 },
    published_at: { type: 'timestamp', requireOffset: true },
  },
  dedupKey: ['video_id'],
});

export const devicesSchema = defineSchema({
  columns: {
    device_id: { type: 'string', required: true },
    user_id: { type: 'string', required: true },
    device_os: { type: 'string', required: true, canonical: ['iOS', 'Android', 'Web', 'TV'] },
    os_version: { type: 'string' },
    app_version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
    model: { type: 'string' },
  },
  dedupKey: ['device_id'],
});

export const EVENT_TYPES = ['session_start', 'play_start', 'heartbeat', 'play_stop', 'session_end'] as const;

export const eventsSchema = defineSchema({
  columns: {
    event_id: { type: 'string', required: true },
    // Events received on D happened within the last year, or a week ahead at most (device clocks).
    event_ts: {
      type: 'timestamp',
      required: true,
      requireOffset: true,
      window: { daysBefore: 365, daysAfter: 7 },
    },
    user_id: { type: 'string', required: true },
    device_id: { type: 'string', required: true },
    session_id: { type: 'string', required: true },
    event_type: { type: 'string', required: true, allowed: EVENT_TYPES },
    video_id: { type: 'string' },
    watch_time: { type: 'double', min: 0 },
  },
  checks: [
    {
      name: 'watch_time_on_play_events',
      predicate:
        "CASE WHEN event_type IN ('heartbeat', 'play_stop') THEN watch_time IS NOT NULL ELSE watch_time IS NULL END",
      reason: 'watch_time is required on heartbeat and play_stop events and must be null on others',
    },
  ],
  dedupKey: ['event_id'],
  // utc_date(ts) = CAST(ts AS DATE) in the UTC session, without the ICU cost (see DuckDBSession).
  derived: { event_date: { type: 'date', sql: 'utc_date(event_ts)' } },
});

/** Row types of the trusted Parquet datasets, derived from the declarations (drop removes, derived adds). */
export type TrustedUser = InferRow<typeof usersSchema>;
export type TrustedVideo = InferRow<typeof videosSchema>;
export type TrustedDevice = InferRow<typeof devicesSchema>;
export type TrustedEvent = InferRow<typeof eventsSchema>;
