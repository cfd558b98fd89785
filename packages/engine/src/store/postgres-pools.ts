import type pg from 'pg';
import {
  assertValidPool,
  type PoolClaim,
  type PoolRecord,
  type PoolStore,
  type PoolUsage,
  pendingSince,
} from './pool-records.js';
import { occupancySql, pruneClaimsSql } from './pool-sql.js';

type Row = Record<string, unknown>;
type Query = (name: string, text: string, values: readonly unknown[]) => Promise<pg.QueryResult<Row>>;
type Transaction = <T>(body: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

const toPool = (r: Row): PoolRecord => ({
  name: r.name as string,
  slots: r.slots as number,
  description: r.description as string,
  updatedAt: (r.updated_at as Date).toISOString(),
});

/**
 * The pool tables of a PostgreSQL schema. A claim locks its pools' rows (`FOR UPDATE`, in name order so two
 * claimants never deadlock) before it counts, so claimants of one pool on any machine take turns.
 */
export class PostgresPools implements PoolStore {
  readonly #pools: string;
  readonly #claims: string;
  readonly #tasks: string;

  constructor(
    private readonly query: Query,
    private readonly transaction: Transaction,
    schema: string,
  ) {
    this.#pools = `${schema}.pools`;
    this.#claims = `${schema}.pool_claims`;
    this.#tasks = `${schema}.task_instances`;
  }

  async setPool(name: string, slots: number, description: string, at: string): Promise<PoolRecord> {
    assertValidPool(name, slots);
    const { rows } = await this.query(
      'set_pool',
      `INSERT INTO ${this.#pools} (name, slots, description, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET slots = excluded.slots, description = excluded.description,
         updated_at = excluded.updated_at
       RETURNING *`,
      [name, slots, description, at],
    );
    return toPool(rows[0]!);
  }

  async deletePool(name: string): Promise<boolean> {
    const { rowCount } = await this.query('delete_pool', `DELETE FROM ${this.#pools} WHERE name = $1`, [
      name,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async listPools(now: string): Promise<PoolUsage[]> {
    const [pools, usage] = await Promise.all([
      this.query('list_pools', `SELECT * FROM ${this.#pools} ORDER BY name`, []),
      this.query('pool_usage', occupancySql(this.#claims, this.#tasks, { since: '$1::timestamptz' }), [
        pendingSince(now),
      ]),
    ]);
    const byPool = new Map(usage.rows.map((u) => [u.pool as string, u]));
    return pools.rows.map(toPool).map((p) => {
      const u = byPool.get(p.name);
      const queued = Number(u?.queued ?? 0);
      const running = Number(u?.running ?? 0);
      return { ...p, queued, running, occupied: queued + running + Number(u?.pending ?? 0) };
    });
  }

  async claimPoolSlots(claims: readonly PoolClaim[], now: string): Promise<boolean[]> {
    if (claims.length === 0) return [];
    const names = [...new Set(claims.map((c) => c.pool))].sort();
    const cutoff = pendingSince(now);
    return this.transaction(async (client) => {
      const locked = await client.query<{ name: string; slots: number }>(
        `SELECT name, slots FROM ${this.#pools} WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE`,
        [names],
      );
      const slots = new Map(locked.rows.map((r) => [r.name, r.slots]));
      if (slots.size === 0) return claims.map(() => true);
      for (const name of slots.keys()) {
        await client.query(pruneClaimsSql(this.#claims, this.#tasks, '$1', '$2::timestamptz'), [
          name,
          cutoff,
        ]);
      }
      const granted: boolean[] = [];
      for (const c of claims) {
        const limit = slots.get(c.pool);
        if (limit === undefined) {
          granted.push(true);
          continue;
        }
        const { rows } = await client.query<Row>(
          occupancySql(this.#claims, this.#tasks, {
            since: '$1::timestamptz',
            pool: '$2',
            exclude: { dagId: '$3', runId: '$4', taskId: '$5' },
          }),
          [cutoff, c.pool, c.dagId, c.runId, c.taskId],
        );
        const u = rows[0];
        const taken = u ? Number(u.queued) + Number(u.running) + Number(u.pending) : 0;
        if (taken >= limit) {
          granted.push(false);
          continue;
        }
        await client.query(
          `INSERT INTO ${this.#claims} (dag_id, run_id, task_id, pool, try_number, claimed_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (dag_id, run_id, task_id) DO UPDATE SET pool = excluded.pool,
             try_number = excluded.try_number, claimed_at = excluded.claimed_at`,
          [c.dagId, c.runId, c.taskId, c.pool, c.tryNumber, now],
        );
        granted.push(true);
      }
      return granted;
    });
  }
}
