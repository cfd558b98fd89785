/** Schema migrations of the SQLite store, applied in order; `PRAGMA user_version` records the last one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE dag_runs (
    dag_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    logical_date TEXT NOT NULL,
    run_type TEXT NOT NULL,
    state TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    lease_owner TEXT,
    lease_host TEXT,
    lease_pid INTEGER,
    lease_heartbeat_at TEXT,
    lease_expires_at TEXT,
    PRIMARY KEY (dag_id, run_id),
    UNIQUE (dag_id, logical_date)
  );
  CREATE TABLE task_instances (
    dag_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    state TEXT NOT NULL,
    try_number INTEGER NOT NULL,
    max_tries INTEGER NOT NULL,
    output TEXT,
    started_at TEXT,
    ended_at TEXT,
    duration_ms REAL,
    next_try_at TEXT,
    PRIMARY KEY (dag_id, run_id, task_id)
  );
  CREATE TABLE task_tries (
    dag_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    try_number INTEGER NOT NULL,
    state TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    duration_ms REAL,
    error_name TEXT,
    error_message TEXT,
    error_stack TEXT,
    log_path TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    PRIMARY KEY (dag_id, run_id, task_id, try_number)
  );
  CREATE TABLE asset_events (
    asset TEXT NOT NULL,
    logical_date TEXT NOT NULL,
    dag_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX asset_events_by_asset ON asset_events (asset, logical_date);
  `,
  // 2: lease epochs. The counter stays on the run when its lease is released, so epochs never repeat.
  `
  ALTER TABLE dag_runs ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: the scheduler's state: paused DAGs and one heartbeat row per scheduler process.
  `
  CREATE TABLE dag_states (
    dag_id TEXT PRIMARY KEY,
    paused INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE schedulers (
    scheduler_id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    last_scheduled_at TEXT,
    state TEXT NOT NULL
  );
  `,
  // 4: backfills the scheduler executes, and asset events by time (the scheduler reads the new ones).
  `
  CREATE INDEX asset_events_by_time ON asset_events (created_at);
  CREATE TABLE backfills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dag_id TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    reprocess TEXT NOT NULL,
    backwards INTEGER NOT NULL,
    max_active_runs INTEGER NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT
  );
  CREATE TABLE backfill_dates (
    backfill_id INTEGER NOT NULL REFERENCES backfills (id),
    logical_date TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    action TEXT NOT NULL,
    run_id TEXT,
    claimed_at TEXT,
    PRIMARY KEY (backfill_id, logical_date)
  );
  `,
  // 5: pools with their slot counts (\`dag pools set\`), and the claims that occupy their slots.
  `
  CREATE TABLE pools (
    name TEXT PRIMARY KEY,
    slots INTEGER NOT NULL,
    description TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE pool_claims (
    dag_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    pool TEXT NOT NULL,
    try_number INTEGER NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (dag_id, run_id, task_id)
  );
  CREATE INDEX pool_claims_by_pool ON pool_claims (pool);
  `,
  // 6: try logs shipped by workers on other machines, in chunks of whole lines at their byte offsets.
  `
  CREATE TABLE try_logs (
    dag_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    try_number INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (dag_id, run_id, task_id, try_number, byte_offset)
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
