/**
 * The SQL of the StreamPro business questions, over the trusted views `users`, `videos`,
 * `devices`, `events` (all ingestion partitions). Every query but PARTITIONS_SQL takes one
 * named parameter, `$report_date` (a `YYYY-MM-DD` string). docs/analytics.md quotes these texts
 * verbatim; a test keeps the two in step.
 *
 * Counts come back as INTEGER and dates as VARCHAR so that rows convert to plain JSON; the
 * statistics (Wilson interval, z-score) are computed in stats.ts.
 */

/**
 * Shared CTEs. Rows can repeat across ingestion partitions: users/devices/videos keep the row of
 * the latest partition, events keep one row per event_id (the earliest partition that holds it).
 */
export const BASE_CTES = `latest_users AS (
  SELECT * FROM users
  QUALIFY row_number() OVER (PARTITION BY user_id ORDER BY ingestion_date DESC) = 1
),
latest_videos AS (
  SELECT * FROM videos
  QUALIFY row_number() OVER (PARTITION BY video_id ORDER BY ingestion_date DESC) = 1
),
latest_devices AS (
  SELECT * FROM devices
  QUALIFY row_number() OVER (PARTITION BY device_id ORDER BY ingestion_date DESC) = 1
),
unique_events AS (
  SELECT * FROM events
  QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ingestion_date, event_ts) = 1
),
sessions AS (
  SELECT
    session_id,
    arg_min(user_id, event_ts) AS user_id,
    arg_min(device_id, event_ts) AS device_id,
    min(event_ts) AS session_start,
    coalesce(sum(watch_time), 0) AS watch_time
  FROM unique_events
  GROUP BY session_id
),
new_users AS (
  SELECT user_id, signup_ts FROM latest_users
  WHERE CAST(signup_ts AS DATE) = CAST($report_date AS DATE)
),
first_sessions AS (
  SELECT n.user_id, s.session_id, s.session_start, s.watch_time
  FROM new_users n
  JOIN sessions s ON s.user_id = n.user_id AND s.session_start >= n.signup_ts
  QUALIFY row_number() OVER (PARTITION BY n.user_id ORDER BY s.session_start, s.session_id) = 1
)`;

/** Q1: new users of the date, those with a first session, those whose first session reached 30 s. */
export const Q1_SQL = `WITH ${BASE_CTES}
SELECT
  count(*)::INTEGER AS new_users,
  count(f.session_id)::INTEGER AS with_session,
  count(*) FILTER (WHERE f.watch_time >= 30)::INTEGER AS reached_30s
FROM new_users n
LEFT JOIN first_sessions f USING (user_id)`;

/** Q1's histogram input: new users per distinct first-session watch time (binned in histogram.ts). */
export const Q1_WATCH_SQL = `WITH ${BASE_CTES}
SELECT watch_time, count(*)::INTEGER AS users
FROM first_sessions
GROUP BY watch_time
ORDER BY watch_time`;

/**
 * Q2: per first-session genre (the genre with the most watch time in the first session among
 * videos that have a genre, ties alphabetical), the users and those retained (another session
 * starting in (start, start + 72 h]). Videos without a genre are ignored.
 */
export const Q2_SQL = `WITH ${BASE_CTES},
first_genre AS (
  SELECT f.user_id, v.genre, sum(e.watch_time) AS genre_watch
  FROM first_sessions f
  JOIN unique_events e ON e.session_id = f.session_id
  JOIN latest_videos v ON v.video_id = e.video_id
  WHERE e.watch_time IS NOT NULL AND v.genre IS NOT NULL
  GROUP BY f.user_id, v.genre
  QUALIFY row_number() OVER (PARTITION BY f.user_id ORDER BY genre_watch DESC, v.genre) = 1
),
retention AS (
  SELECT f.user_id, bool_or(s.session_id IS NOT NULL) AS retained
  FROM first_sessions f
  LEFT JOIN sessions s
    ON s.user_id = f.user_id
    AND s.session_id <> f.session_id
    AND s.session_start > f.session_start
    AND s.session_start <= f.session_start + INTERVAL 72 HOUR
  GROUP BY f.user_id
)
SELECT
  g.genre,
  count(*)::INTEGER AS users,
  count(*) FILTER (WHERE r.retained)::INTEGER AS retained
FROM first_genre g
JOIN retention r USING (user_id)
GROUP BY g.genre
ORDER BY g.genre`;

/**
 * Q3: sessions starting in [D, D + 4 days) per cohort (normalised device_os + app_version of the
 * session's device); a session drops off when its watch time is under 10 s.
 */
export const Q3_SQL = `WITH ${BASE_CTES}
SELECT
  d.device_os,
  d.app_version,
  count(*)::INTEGER AS sessions,
  count(*) FILTER (WHERE s.watch_time < 10)::INTEGER AS drop_offs
FROM sessions s
JOIN latest_devices d USING (device_id)
WHERE s.session_start >= CAST($report_date AS TIMESTAMP)
  AND s.session_start < CAST($report_date AS TIMESTAMP) + INTERVAL 4 DAY
GROUP BY d.device_os, d.app_version
ORDER BY d.device_os, d.app_version`;

/** Which ingestion partitions of each trusted table were read. */
export const PARTITIONS_SQL = `SELECT table_name, strftime(ingestion_date, '%Y-%m-%d') AS ingestion_date
FROM (
  SELECT DISTINCT 'users' AS table_name, ingestion_date FROM users
  UNION ALL SELECT DISTINCT 'videos', ingestion_date FROM videos
  UNION ALL SELECT DISTINCT 'devices', ingestion_date FROM devices
  UNION ALL SELECT DISTINCT 'events', ingestion_date FROM events
)
ORDER BY table_name, ingestion_date`;

/**
 * Where the windows end, for the record: `required_until` = the later of D + 4 days (end of the Q3
 * window) and the latest first-session start of D's new users + 72 h (end of the last Q2 window),
 * beside the latest event read. Completeness itself comes from the partitions read (inputs.ts), not
 * from event times, which a single far-future timestamp would move.
 */
export const WINDOW_SQL = `WITH ${BASE_CTES},
bounds AS (
  SELECT greatest(
    CAST($report_date AS TIMESTAMP) + INTERVAL 4 DAY,
    coalesce(max(session_start) + INTERVAL 72 HOUR, CAST($report_date AS TIMESTAMP) + INTERVAL 4 DAY)
  ) AS required_until
  FROM first_sessions
)
SELECT
  strftime(b.required_until, '%Y-%m-%dT%H:%M:%SZ') AS required_until,
  strftime(max(e.event_ts), '%Y-%m-%dT%H:%M:%SZ') AS latest_event_ts
FROM bounds b
LEFT JOIN unique_events e ON true
GROUP BY b.required_until`;
