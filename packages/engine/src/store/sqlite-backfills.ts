import type Database from 'better-sqlite3';
import type {
  BackfillDateRecord,
  BackfillRecord,
  BackfillState,
  NewBackfill,
  NewBackfillDate,
} from './backfill-records.js';
import { backfillDateFromRow, backfillFromRow } from './backfill-rows.js';

type Row = Record<string, unknown>;

const text = (v: unknown): string => v as string;
const toBackfill = (r: Row): BackfillRecord => backfillFromRow(r, text, JSON.parse(r.params as string));
const toDate = (r: Row): BackfillDateRecord => backfillDateFromRow(r, text);

/**
 * The backfill tables of a SQLite state database, synchronous like better-sqlite3; `SqliteRunStore` wraps
 * each call (and maps driver errors).
 */
export class SqliteBackfills {
  readonly #db: Database.Database;
  readonly #create: (backfill: NewBackfill, dates: readonly NewBackfillDate[]) => number;

  constructor(db: Database.Database) {
    this.#db = db;
    const insert = db.prepare(`INSERT INTO backfills (dag_id, start_date, end_date, reprocess, backwards,
      max_active_runs, params, state, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?) RETURNING id`);
    const insertDate =
      db.prepare(`INSERT INTO backfill_dates (backfill_id, logical_date, ordinal, action, run_id)
      VALUES (?, ?, ?, ?, ?)`);
    this.#create = db.transaction((b: NewBackfill, dates: readonly NewBackfillDate[]) => {
      const { id } = insert.get(
        b.dagId,
        b.startDate,
        b.endDate,
        b.reprocess,
        b.backwards ? 1 : 0,
        b.maxActiveRuns,
        JSON.stringify(b.params),
        b.createdAt,
        b.createdAt,
      ) as { id: number };
      dates.forEach((d, i) => {
        insertDate.run(id, d.logicalDate, i, d.action, d.runId);
      });
      return id;
    });
  }

  createBackfill(backfill: NewBackfill, dates: readonly NewBackfillDate[]): BackfillRecord {
    const id = this.#create(backfill, dates);
    return this.getBackfill(id)!;
  }

  getBackfill(id: number): BackfillRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM backfills WHERE id = ?').get(id) as Row | undefined;
    return row ? toBackfill(row) : undefined;
  }

  listBackfills(dagId?: string): BackfillRecord[] {
    const rows =
      dagId === undefined
        ? this.#db.prepare('SELECT * FROM backfills ORDER BY id DESC').all()
        : this.#db.prepare('SELECT * FROM backfills WHERE dag_id = ? ORDER BY id DESC').all(dagId);
    return (rows as Row[]).map(toBackfill);
  }

  listBackfillDates(id: number): BackfillDateRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM backfill_dates WHERE backfill_id = ? ORDER BY ordinal')
      .all(id) as Row[];
    return rows.map(toDate);
  }

  setBackfillState(
    id: number,
    state: BackfillState,
    at: string,
    from: readonly BackfillState[],
    completedAt?: string,
  ): BackfillRecord | undefined {
    if (from.length === 0) return undefined;
    const row = this.#db
      .prepare(
        `UPDATE backfills SET state = ?, updated_at = ?, completed_at = COALESCE(?, completed_at)
         WHERE id = ? AND state IN (${from.map(() => '?').join(', ')}) RETURNING *`,
      )
      .get(state, at, completedAt ?? null, id, ...from) as Row | undefined;
    return row ? toBackfill(row) : undefined;
  }

  claimBackfillDate(id: number, logicalDate: string, runId: string, at: string): boolean {
    const { changes } = this.#db
      .prepare(`UPDATE backfill_dates SET claimed_at = ?, run_id = ?
        WHERE backfill_id = ? AND logical_date = ? AND claimed_at IS NULL`)
      .run(at, runId, id, logicalDate);
    return changes === 1;
  }
}
