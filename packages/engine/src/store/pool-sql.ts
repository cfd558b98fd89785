import { PENDING_CLAIM_STATES } from './pool-records.js';

const PENDING = PENDING_CLAIM_STATES.map((s) => `'${s}'`).join(', ');

/** Placeholders of the statement's parameters, in each driver's syntax. */
export interface PoolSqlParams {
  /** The claims older than this no longer hold a pending slot (an ISO instant). */
  readonly since: string;
  /** Restricts to one pool; every pool (grouped by name) when undefined. */
  readonly pool?: string;
  /** Leaves out the claim of one task instance (the one being replaced). */
  readonly exclude?: { readonly dagId: string; readonly runId: string; readonly taskId: string };
}

/**
 * Occupancy of pools as `claimOccupies` defines it, in SQL both stores run (`count … FILTER` exists in
 * SQLite ≥ 3.30 and PostgreSQL): one row per pool with its queued, running and pending claims.
 */
export function occupancySql(claims: string, tasks: string, p: PoolSqlParams): string {
  const where = [
    ...(p.pool === undefined ? [] : [`c.pool = ${p.pool}`]),
    ...(p.exclude === undefined
      ? []
      : [
          `NOT (c.dag_id = ${p.exclude.dagId} AND c.run_id = ${p.exclude.runId} AND c.task_id = ${p.exclude.taskId})`,
        ]),
  ];
  return `SELECT c.pool AS pool,
      count(*) FILTER (WHERE t.try_number = c.try_number AND t.state = 'queued') AS queued,
      count(*) FILTER (WHERE t.try_number = c.try_number AND t.state = 'running') AS running,
      count(*) FILTER (WHERE t.try_number = c.try_number - 1 AND t.state IN (${PENDING})
        AND c.claimed_at > ${p.since}) AS pending
    FROM ${claims} c
    JOIN ${tasks} t ON t.dag_id = c.dag_id AND t.run_id = c.run_id AND t.task_id = c.task_id
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    GROUP BY c.pool`;
}

/** Deletes the claims of one pool that no longer occupy a slot, so the table stays as small as the pool. */
export function pruneClaimsSql(claims: string, tasks: string, pool: string, since: string): string {
  return `DELETE FROM ${claims} WHERE pool = ${pool} AND NOT EXISTS (
      SELECT 1 FROM ${tasks} t
      WHERE t.dag_id = ${claims}.dag_id AND t.run_id = ${claims}.run_id AND t.task_id = ${claims}.task_id
        AND ((t.try_number = ${claims}.try_number AND t.state IN ('queued', 'running'))
          OR (t.try_number = ${claims}.try_number - 1 AND t.state IN (${PENDING})
            AND ${claims}.claimed_at > ${since})))`;
}
