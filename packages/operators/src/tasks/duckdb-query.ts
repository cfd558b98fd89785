import path from 'node:path';
import { type DatasetInput, stageDatasets } from '../duckdb/datasets.js';
import type { JsonRow } from '../duckdb/json-rows.js';
import { pathLiteral } from '../duckdb/sql.js';
import { defaultCacheDir, type WorkSessionOptions, withWorkSession } from '../duckdb/work-session.js';
import type { ObjectStore } from '../storage/object-store.js';
import { type OperatorRun, type Resolvable, resolve } from './operator.js';

export type QueryOutputFormat = 'parquet' | 'csv' | 'json';

interface DuckDBQueryBase extends WorkSessionOptions {
  /** Datasets exposed to the SQL as views named by these keys. */
  readonly inputs: Readonly<Record<string, DatasetInput>>;
  /** One SELECT (no trailing statements). */
  readonly sql: Resolvable<string>;
}

export interface DuckDBQueryRowsOptions extends DuckDBQueryBase {
  /** Rows returned at most; the output says when more existed. @default 1000 */
  readonly maxRows?: number;
  readonly output?: undefined;
}

export interface DuckDBQueryWriteOptions extends DuckDBQueryBase {
  /** Where the result is published (atomically). JSON is JSON Lines; CSV has a header. */
  readonly output: {
    readonly store: ObjectStore;
    readonly key: Resolvable<string>;
    readonly format?: QueryOutputFormat;
  };
}

export interface QueryRowsOutput {
  readonly kind: 'rows';
  readonly columns: string[];
  /** JSON-safe: BIGINT as number (string beyond 2^53), DATE `YYYY-MM-DD`, timestamps ISO UTC. */
  readonly rows: JsonRow[];
  readonly truncated: boolean;
}

export interface QueryWriteOutput {
  readonly kind: 'written';
  readonly key: string;
  readonly format: QueryOutputFormat;
  readonly rowCount: number;
}

export const DEFAULT_MAX_ROWS = 1000;

/**
 * Runs SQL over Parquet datasets of a store. Without `output` it returns up to `maxRows` rows;
 * with `output` it writes the whole result as Parquet, CSV or JSON Lines and publishes it.
 */
export function duckdbQuery(options: DuckDBQueryWriteOptions): OperatorRun<QueryWriteOutput>;
export function duckdbQuery(options: DuckDBQueryRowsOptions): OperatorRun<QueryRowsOutput>;
export function duckdbQuery(
  options: DuckDBQueryRowsOptions | DuckDBQueryWriteOptions,
): OperatorRun<QueryRowsOutput | QueryWriteOutput> {
  return (ctx) =>
    withWorkSession(options, ctx, 'streampro-query-', async (session, dir) => {
      await stageDatasets(session, options.inputs, ctx, { cacheDir: options.cacheDir ?? defaultCacheDir() });
      const sql = stripTrailingSemicolons(await resolve(options.sql, ctx));
      if (options.output === undefined) {
        const result = await session.query(sql, options.maxRows ?? DEFAULT_MAX_ROWS);
        return { kind: 'rows', ...result };
      }
      const format = options.output.format ?? 'parquet';
      const key = await resolve(options.output.key, ctx);
      const local = path.join(dir, `result.${format}`);
      const rowCount = await session.run(`COPY (${sql}) TO ${pathLiteral(local)} (${COPY_FORMATS[format]})`);
      await options.output.store.putFile(key, local, { signal: ctx.signal });
      ctx.log.info('duckdbQuery wrote result', { key, format, rowCount });
      return { kind: 'written', key, format, rowCount };
    });
}

const COPY_FORMATS: Record<QueryOutputFormat, string> = {
  parquet: 'FORMAT PARQUET',
  csv: 'FORMAT CSV, HEADER TRUE',
  json: 'FORMAT JSON',
};

function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
