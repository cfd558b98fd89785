import type Database from 'better-sqlite3';
import {
  assertValidPool,
  type PoolClaim,
  type PoolRecord,
  type PoolUsage,
  pendingSince,
} from './pool-records.js';
import { occupancySql, pruneClaimsSql } from './pool-sql.js';

type Row = Record<string, unknown>;

const toPool = (r: Row): PoolRecord => ({
  name: r.name as string,
  slots: r.slots as number,
  description: r.description as string,
  updatedAt: r.updated_at as string,
});

/**
 * The pool tables of a SQLite state database, synchronous like better-sqlite3; `SqliteRunStore` wraps each
 * call. Claims run in an IMMEDIATE transaction: the write lock serialises every claimant of the file.
 */
export class SqlitePools {
  readonly #db: Database.Database;
  readonly #claim: Database.Transaction<(claims: readonly PoolClaim[], now: string) => boolean[]>;

  constructor(db: Database.Database) {
    this.#db = db;
    const slotsOf = db.prepare('SELECT slots FROM pools WHERE name = ?');
    const occupied = db.prepare(
      occupancySql('pool_claims', 'task_instances', {
        since: '@since',
        pool: '@pool',
        exclude: { dagId: '@dagId', runId: '@runId', taskId: '@taskId' },
      }),
    );
    const prune = db.prepare(pruneClaimsSql('pool_claims', 'task_instances', '@pool', '@since'));
    const insert = db.prepare(`INSERT OR REPLACE INTO pool_claims
      (dag_id, run_id, task_id, pool, try_number, claimed_at)
      VALUES (@dagId, @runId, @taskId, @pool, @tryNumber, @now)`);
    this.#claim = db.transaction((claims: readonly PoolClaim[], now: string) => {
      const pruned = new Set<string>();
      return claims.map((c) => {
        const pool = slotsOf.get(c.pool) as { slots: number } | undefined;
        if (!pool) return true;
        const at = { since: pendingSince(now), pool: c.pool };
        if (!pruned.has(c.pool)) {
          prune.run(at);
          pruned.add(c.pool);
        }
        const row = occupied.get({ ...at, dagId: c.dagId, runId: c.runId, taskId: c.taskId }) as
          | { queued: number; running: number; pending: number }
          | undefined;
        const taken = row ? row.queued + row.running + row.pending : 0;
        if (taken >= pool.slots) return false;
        insert.run({ ...c, now });
        return true;
      });
    });
  }

  setPool(name: string, slots: number, description: string, at: string): PoolRecord {
    assertValidPool(name, slots);
    const row = this.#db
      .prepare(`INSERT INTO pools (name, slots, description, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET slots = excluded.slots, description = excluded.description,
          updated_at = excluded.updated_at
        RETURNING *`)
      .get(name, slots, description, at) as Row;
    return toPool(row);
  }

  deletePool(name: string): boolean {
    return this.#db.prepare('DELETE FROM pools WHERE name = ?').run(name).changes > 0;
  }

  listPools(now: string): PoolUsage[] {
    const pools = (this.#db.prepare('SELECT * FROM pools ORDER BY name').all() as Row[]).map(toPool);
    const usage = new Map(
      (
        this.#db.prepare(occupancySql('pool_claims', 'task_instances', { since: '@since' })).all({
          since: pendingSince(now),
        }) as { pool: string; queued: number; running: number; pending: number }[]
      ).map((u) => [u.pool, u]),
    );
    return pools.map((p) => {
      const u = usage.get(p.name);
      const queued = u?.queued ?? 0;
      const running = u?.running ?? 0;
      return { ...p, queued, running, occupied: queued + running + (u?.pending ?? 0) };
    });
  }

  claimPoolSlots(claims: readonly PoolClaim[], now: string): boolean[] {
    if (claims.length === 0) return [];
    return this.#claim.immediate(claims, now);
  }
}
