import type pg from 'pg';
import type {
  BackfillDateRecord,
  BackfillRecord,
  BackfillState,
  BackfillStore,
  NewBackfill,
  NewBackfillDate,
} from './backfill-records.js';
import { backfillDateFromRow, backfillFromRow } from './backfill-rows.js';

type Row = Record<string, unknown>;
type Query = (name: string, text: string, values: readonly unknown[]) => Promise<pg.QueryResult<Row>>;
type Transaction = <T>(body: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

const iso = (v: unknown): string => (v as Date).toISOString();
const toBackfill = (r: Row): BackfillRecord => backfillFromRow(r, iso, r.params);
const toDate = (r: Row): BackfillDateRecord => backfillDateFromRow(r, iso);

/** The backfill tables of a PostgreSQL schema; `PostgresRunStore` delegates to it with its pool. */
export class PostgresBackfills implements BackfillStore {
  readonly #backfills: string;
  readonly #dates: string;

  constructor(
    private readonly query: Query,
    private readonly transaction: Transaction,
    schema: string,
  ) {
    this.#backfills = `${schema}.backfills`;
    this.#dates = `${schema}.backfill_dates`;
  }

  async createBackfill(b: NewBackfill, dates: readonly NewBackfillDate[]): Promise<BackfillRecord> {
    const row = await this.transaction(async (client) => {
      const { rows } = await client.query<Row>(
        `INSERT INTO ${this.#backfills} (dag_id, start_date, end_date, reprocess, backwards, max_active_runs,
           params, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $8) RETURNING *`,
        [b.dagId, b.startDate, b.endDate, b.reprocess, b.backwards, b.maxActiveRuns, b.params, b.createdAt],
      );
      const created = rows[0]!;
      if (dates.length > 0) {
        await client.query(
          `INSERT INTO ${this.#dates} (backfill_id, logical_date, ordinal, action, run_id)
           SELECT $1, d.logical_date, d.ordinal - 1, d.action, d.run_id
           FROM unnest($2::timestamptz[], $3::text[], $4::text[]) WITH ORDINALITY
             AS d(logical_date, action, run_id, ordinal)`,
          [
            created.id,
            dates.map((d) => d.logicalDate),
            dates.map((d) => d.action),
            dates.map((d) => d.runId),
          ],
        );
      }
      return created;
    });
    return toBackfill(row);
  }

  async getBackfill(id: number): Promise<BackfillRecord | undefined> {
    const { rows } = await this.query('backfill', `SELECT * FROM ${this.#backfills} WHERE id = $1`, [id]);
    return rows[0] ? toBackfill(rows[0]) : undefined;
  }

  async listBackfills(dagId?: string): Promise<BackfillRecord[]> {
    const { rows } = await this.query(
      'backfills',
      `SELECT * FROM ${this.#backfills} WHERE $1::text IS NULL OR dag_id = $1 ORDER BY id DESC`,
      [dagId ?? null],
    );
    return rows.map(toBackfill);
  }

  async listBackfillDates(id: number): Promise<BackfillDateRecord[]> {
    const { rows } = await this.query(
      'backfill_dates',
      `SELECT * FROM ${this.#dates} WHERE backfill_id = $1 ORDER BY ordinal`,
      [id],
    );
    return rows.map(toDate);
  }

  async setBackfillState(
    id: number,
    state: BackfillState,
    at: string,
    from: readonly BackfillState[],
    completedAt?: string,
  ): Promise<BackfillRecord | undefined> {
    const { rows } = await this.query(
      'set_backfill_state',
      `UPDATE ${this.#backfills} SET state = $2, updated_at = $3, completed_at = COALESCE($4, completed_at)
       WHERE id = $1 AND state = ANY($5::text[]) RETURNING *`,
      [id, state, at, completedAt ?? null, [...from]],
    );
    return rows[0] ? toBackfill(rows[0]) : undefined;
  }

  async claimBackfillDate(id: number, logicalDate: string, runId: string, at: string): Promise<boolean> {
    const { rowCount } = await this.query(
      'claim_backfill_date',
      `UPDATE ${this.#dates} SET claimed_at = $4, run_id = $3
       WHERE backfill_id = $1 AND logical_date = $2 AND claimed_at IS NULL`,
      [id, logicalDate, runId, at],
    );
    return rowCount === 1;
  }
}
