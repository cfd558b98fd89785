/**
 * Schema migrations of the PostgreSQL store, applied in order, each recorded as a row of
 * `<schema>.streampro_migrations`. Each step is SQL for a schema given as a quoted identifier, so several
 * installations can share one database in schemas of their own. A step is never edited once released:
 * changes are new steps (a function is replaced with `CREATE OR REPLACE`).
 *
 * Columns mirror the SQLite store's (`migrations.ts`), with real types: instants are `timestamptz`, params and
 * outputs `json` (the text as written, key order kept), and `seq` gives the insertion order SQLite's rowid
 * gives there.
 */
export const POSTGRES_MIGRATIONS: readonly ((schema: string) => string)[] = [
  (s) => `
  CREATE TABLE ${s}.dag_runs (
    dag_id text NOT NULL,
    run_id text NOT NULL,
    logical_date timestamptz NOT NULL,
    run_type text NOT NULL,
    state text NOT NULL,
    params json NOT NULL,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    ended_at timestamptz,
    lease_owner text,
    lease_host text,
    lease_pid integer,
    lease_heartbeat_at timestamptz,
    lease_expires_at timestamptz,
    -- Stays when the lease is released, so epochs never repeat.
    lease_epoch integer NOT NULL DEFAULT 0,
    PRIMARY KEY (dag_id, run_id),
    UNIQUE (dag_id, logical_date)
  );
  CREATE INDEX dag_runs_by_logical_date ON ${s}.dag_runs (logical_date DESC);
  CREATE TABLE ${s}.task_instances (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    dag_id text NOT NULL,
    run_id text NOT NULL,
    task_id text NOT NULL,
    state text NOT NULL,
    try_number integer NOT NULL,
    max_tries integer NOT NULL,
    output json,
    started_at timestamptz,
    ended_at timestamptz,
    duration_ms double precision,
    next_try_at timestamptz,
    PRIMARY KEY (dag_id, run_id, task_id)
  );
  CREATE TABLE ${s}.task_tries (
    dag_id text NOT NULL,
    run_id text NOT NULL,
    task_id text NOT NULL,
    try_number integer NOT NULL,
    state text NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    duration_ms double precision,
    error_name text,
    error_message text,
    error_stack text,
    log_path text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    PRIMARY KEY (dag_id, run_id, task_id, try_number)
  );
  CREATE TABLE ${s}.asset_events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset text NOT NULL,
    logical_date timestamptz NOT NULL,
    dag_id text NOT NULL,
    run_id text NOT NULL,
    task_id text NOT NULL,
    created_at timestamptz NOT NULL
  );
  CREATE INDEX asset_events_by_asset ON ${s}.asset_events (asset, logical_date, seq);
  `,
  // 2: apply_changes, the one round trip of RunStore.apply. Inputs: the batch folded by `planBatch`
  // (postgres-batch.ts: one row per stored row, `mask` bits for the fields a patch sets; jsonb, parsed once,
  // with outputs and params as JSON text so their text is kept as written) and the fence (or NULL). It checks the fence under the run's row lock, then finds the first unknown run or task
  // instance in batch order, then writes each table with one set-based statement. One statement of the
  // caller, so one transaction: an error anywhere leaves nothing of the batch.
  // Returns no row when applied; one row with lost = true and the lease holder (NULLs when the lease is
  // free) when the fence is stale, having written nothing. Raises SQLSTATE SPNF0 with the store's message
  // for an unknown run or task instance.
  (s) => `
  CREATE OR REPLACE FUNCTION ${s}.apply_changes(p_batch jsonb, p_fence json)
  RETURNS TABLE (lost boolean, lost_owner text, lost_host text, lost_pid integer,
    lost_heartbeat_at timestamptz, lost_expires_at timestamptz, lost_epoch integer)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    r record;
    missing text;
  BEGIN
    IF p_fence IS NOT NULL THEN
      -- FOR UPDATE: a concurrent acquireLease waits for this batch, and this batch for an acquisition.
      SELECT d.lease_owner, d.lease_host, d.lease_pid, d.lease_heartbeat_at, d.lease_expires_at, d.lease_epoch
        INTO r FROM ${s}.dag_runs d
        WHERE d.dag_id = p_fence->>'dagId' AND d.run_id = p_fence->>'runId' FOR UPDATE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'no run %/%', p_fence->>'dagId', p_fence->>'runId' USING ERRCODE = 'SPNF0';
      END IF;
      IF r.lease_owner IS NULL OR r.lease_owner <> p_fence->>'owner'
          OR r.lease_epoch <> (p_fence->>'epoch')::integer THEN
        RETURN QUERY SELECT true, r.lease_owner, r.lease_host, r.lease_pid, r.lease_heartbeat_at,
          r.lease_expires_at, r.lease_epoch;
        RETURN;
      END IF;
    END IF;

    SELECT m.msg INTO missing FROM (
      SELECT x.ord, format('no run %s/%s', x.dag_id, x.run_id) AS msg
      FROM jsonb_to_recordset(p_batch->'runs') AS x(ord integer, dag_id text, run_id text)
      WHERE NOT EXISTS (SELECT 1 FROM ${s}.dag_runs d WHERE d.dag_id = x.dag_id AND d.run_id = x.run_id)
      UNION ALL
      SELECT x.ord, format('no task instance %s/%s/%s', x.dag_id, x.run_id, x.task_id)
      FROM jsonb_to_recordset(p_batch->'tasks') AS x(ord integer, added boolean, dag_id text, run_id text,
        task_id text)
      WHERE NOT x.added AND NOT EXISTS (SELECT 1 FROM ${s}.task_instances t
        WHERE t.dag_id = x.dag_id AND t.run_id = x.run_id AND t.task_id = x.task_id)
    ) m ORDER BY m.ord LIMIT 1;
    IF missing IS NOT NULL THEN
      RAISE EXCEPTION '%', missing USING ERRCODE = 'SPNF0';
    END IF;

    UPDATE ${s}.dag_runs d SET
      state = x.state,
      started_at = CASE WHEN x.mask & 1 <> 0 THEN x.started_at ELSE d.started_at END,
      ended_at = CASE WHEN x.mask & 2 <> 0 THEN x.ended_at ELSE d.ended_at END,
      params = CASE WHEN x.mask & 4 <> 0 THEN x.params::json ELSE d.params END
    FROM jsonb_to_recordset(p_batch->'runs') AS x(dag_id text, run_id text, state text, mask integer,
      started_at timestamptz, ended_at timestamptz, params text)
    WHERE d.dag_id = x.dag_id AND d.run_id = x.run_id;

    INSERT INTO ${s}.task_instances (dag_id, run_id, task_id, state, try_number, max_tries)
    SELECT x.dag_id, x.run_id, x.task_id, 'none', 0, 0
    FROM jsonb_to_recordset(p_batch->'added') AS x(ord integer, dag_id text, run_id text, task_id text)
    ORDER BY x.ord
    ON CONFLICT DO NOTHING;

    UPDATE ${s}.task_instances t SET
      state = x.state,
      try_number = CASE WHEN x.mask & 1 <> 0 THEN x.try_number ELSE t.try_number END,
      max_tries = CASE WHEN x.mask & 2 <> 0 THEN x.max_tries ELSE t.max_tries END,
      output = CASE WHEN x.mask & 4 <> 0 THEN x.output::json ELSE t.output END,
      started_at = CASE WHEN x.mask & 8 <> 0 THEN x.started_at ELSE t.started_at END,
      ended_at = CASE WHEN x.mask & 16 <> 0 THEN x.ended_at ELSE t.ended_at END,
      duration_ms = CASE WHEN x.mask & 32 <> 0 THEN x.duration_ms ELSE t.duration_ms END,
      next_try_at = CASE WHEN x.mask & 64 <> 0 THEN x.next_try_at ELSE t.next_try_at END
    FROM jsonb_to_recordset(p_batch->'tasks') AS x(dag_id text, run_id text, task_id text, state text,
      mask integer, try_number integer, max_tries integer, output text, started_at timestamptz,
      ended_at timestamptz, duration_ms double precision, next_try_at timestamptz)
    WHERE t.dag_id = x.dag_id AND t.run_id = x.run_id AND t.task_id = x.task_id;

    -- A try recorded again (same number) replaces the first record, as SQLite's INSERT OR REPLACE.
    INSERT INTO ${s}.task_tries (dag_id, run_id, task_id, try_number, state, started_at, ended_at,
      duration_ms, error_name, error_message, error_stack, log_path, host, pid)
    SELECT x.dag_id, x.run_id, x.task_id, x.try_number, x.state, x.started_at, x.ended_at, x.duration_ms,
      x.error_name, x.error_message, x.error_stack, x.log_path, x.host, x.pid
    FROM jsonb_to_recordset(p_batch->'tries') AS x(dag_id text, run_id text, task_id text, try_number integer,
      state text, started_at timestamptz, ended_at timestamptz, duration_ms double precision,
      error_name text, error_message text, error_stack text, log_path text, host text, pid integer)
    ON CONFLICT (dag_id, run_id, task_id, try_number) DO UPDATE SET state = EXCLUDED.state,
      started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, duration_ms = EXCLUDED.duration_ms,
      error_name = EXCLUDED.error_name, error_message = EXCLUDED.error_message,
      error_stack = EXCLUDED.error_stack, log_path = EXCLUDED.log_path, host = EXCLUDED.host,
      pid = EXCLUDED.pid;

    -- The end of a try that was never recorded changes nothing.
    UPDATE ${s}.task_tries t SET state = x.state, ended_at = x.ended_at, duration_ms = x.duration_ms,
      error_name = x.error_name, error_message = x.error_message, error_stack = x.error_stack
    FROM jsonb_to_recordset(p_batch->'try_ends') AS x(dag_id text, run_id text, task_id text,
      try_number integer, state text, ended_at timestamptz, duration_ms double precision, error_name text,
      error_message text, error_stack text)
    WHERE t.dag_id = x.dag_id AND t.run_id = x.run_id AND t.task_id = x.task_id
      AND t.try_number = x.try_number;

    INSERT INTO ${s}.asset_events (asset, logical_date, dag_id, run_id, task_id, created_at)
    SELECT x.asset, x.logical_date, x.dag_id, x.run_id, x.task_id, x.created_at
    FROM jsonb_to_recordset(p_batch->'assets') AS x(ord integer, asset text, logical_date timestamptz,
      dag_id text, run_id text, task_id text, created_at timestamptz)
    ORDER BY x.ord;
  END
  $fn$;
  `,
  // 3: the scheduler's state: paused DAGs and one heartbeat row per scheduler process.
  (s) => `
  CREATE TABLE ${s}.dag_states (
    dag_id text PRIMARY KEY,
    paused boolean NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE TABLE ${s}.schedulers (
    scheduler_id text PRIMARY KEY,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    last_scheduled_at timestamptz,
    state text NOT NULL
  );
  `,
  // 4: backfills the scheduler executes, and asset events by time (the scheduler reads the new ones).
  (s) => `
  CREATE INDEX asset_events_by_time ON ${s}.asset_events (created_at);
  CREATE TABLE ${s}.backfills (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dag_id text NOT NULL,
    start_date timestamptz NOT NULL,
    end_date timestamptz NOT NULL,
    reprocess text NOT NULL,
    backwards boolean NOT NULL,
    max_active_runs integer NOT NULL,
    params jsonb NOT NULL,
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    completed_at timestamptz
  );
  CREATE TABLE ${s}.backfill_dates (
    backfill_id bigint NOT NULL REFERENCES ${s}.backfills (id),
    logical_date timestamptz NOT NULL,
    ordinal integer NOT NULL,
    action text NOT NULL,
    run_id text,
    claimed_at timestamptz,
    PRIMARY KEY (backfill_id, logical_date)
  );
  `,
  // 5: pools with their slot counts (\`dag pools set\`), and the claims that occupy their slots.
  (s) => `
  CREATE TABLE ${s}.pools (
    name text PRIMARY KEY,
    slots integer NOT NULL,
    description text NOT NULL,
    updated_at timestamptz NOT NULL
  );
  CREATE TABLE ${s}.pool_claims (
    dag_id text NOT NULL,
    run_id text NOT NULL,
    task_id text NOT NULL,
    pool text NOT NULL,
    try_number integer NOT NULL,
    claimed_at timestamptz NOT NULL,
    PRIMARY KEY (dag_id, run_id, task_id)
  );
  CREATE INDEX pool_claims_by_pool ON ${s}.pool_claims (pool);
  `,
  // 6: try logs shipped by workers on other machines, in chunks of whole lines at their byte offsets.
  (s) => `
  CREATE TABLE ${s}.try_logs (
    dag_id text NOT NULL,
    run_id text NOT NULL,
    task_id text NOT NULL,
    try_number integer NOT NULL,
    byte_offset bigint NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (dag_id, run_id, task_id, try_number, byte_offset)
  );
  `,
];

export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;
