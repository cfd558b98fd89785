import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { DuckDBConnection, DuckDBInstance, DuckDBTypeId, DuckDBValue } from '@duckdb/node-api';
import { type JsonRow, jsonRows } from './json-rows.js';

export interface DuckDBSessionOptions {
  /**
   * Folder DuckDB spills to when a query needs more than `memoryLimit` (sorts, joins, large
   * tables). Created if missing. Required so that large files never depend on RAM.
   */
  readonly tempDirectory: string;
  /** Upper bound of DuckDB's buffer memory, e.g. `'512MB'`. @default '1GB' */
  readonly memoryLimit?: string;
  /** Worker threads. @default the machine's available parallelism */
  readonly threads?: number;
  /**
   * Database file; tables created in the session live there instead of in memory, which keeps
   * staged tables of larger-than-RAM inputs on disk. @default ':memory:'
   */
  readonly databasePath?: string;
}

/** Bound parameters: positional (`$1`, `?`) or named (`$name`). */
export type SqlValues = DuckDBValue[] | Record<string, DuckDBValue>;

/** Rows of a query, capped at `maxRows`. */
export interface QueryRows {
  readonly columns: string[];
  readonly rows: JsonRow[];
  /** True when the query produced more than `maxRows` rows. */
  readonly truncated: boolean;
}

/**
 * One DuckDB instance and connection with the project's settings: no extension downloads
 * (a missing extension fails at once instead of hanging on the network), bounded memory with a
 * spill folder, and UTC as the session time zone so `CAST(ts AS DATE)` means the UTC day on every
 * machine. The macro `utc_date(ts)` is a faster equivalent of that cast for TIMESTAMPTZ values. Close it explicitly; the native handle is not garbage-collected promptly.
 */
export class DuckDBSession {
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly raw: DuckDBConnection,
    private readonly dateTypeId: DuckDBTypeId,
  ) {}

  static async create(options: DuckDBSessionOptions): Promise<DuckDBSession> {
    await mkdir(options.tempDirectory, { recursive: true });
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be >= 1, got ${threads}`);
    // Loaded on first use: DAG files import this package, and `dag list` should not pay for DuckDB's
    // native binding.
    const { DuckDBInstance, DuckDBTypeId } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(options.databasePath ?? ':memory:', {
      autoinstall_known_extensions: 'false',
      // Built-in extensions (parquet, json, icu) are linked in; autoload only registers them.
      autoload_known_extensions: 'true',
      memory_limit: options.memoryLimit ?? '1GB',
      temp_directory: options.tempDirectory,
      threads: String(threads),
      preserve_insertion_order: 'true',
    });
    try {
      const connection = await instance.connect();
      const session = new DuckDBSession(instance, connection, DuckDBTypeId.DATE);
      await session.run("SET TimeZone = 'UTC'");
      // CAST(timestamptz AS DATE) goes through ICU time zone rules (~0.7 s per million rows);
      // arithmetic on epoch microseconds gives the same UTC day at a tenth of the cost.
      await session.run(
        'CREATE OR REPLACE TEMP MACRO utc_date(ts) AS CAST(make_timestamp(epoch_us(ts)) AS DATE)',
      );
      return session;
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  /** Runs one or more statements; returns the number of rows changed by the last (COPY: rows written). */
  async run(sql: string, values?: SqlValues): Promise<number> {
    const result = await this.conn().run(sql, values);
    return Number(result.rowsChanged);
  }

  /** All rows of a query as JSON-safe objects; for small results (counts, examples, reports). */
  async all(sql: string, values?: SqlValues): Promise<JsonRow[]> {
    const reader = await this.conn().runAndReadAll(sql, values);
    return jsonRows(reader, this.dateTypeId);
  }

  /** The first `maxRows` rows of a query, streamed so a large result is never fully materialised. */
  async query(sql: string, maxRows: number): Promise<QueryRows> {
    if (!Number.isInteger(maxRows) || maxRows < 0)
      throw new RangeError(`maxRows must be >= 0, got ${maxRows}`);
    const reader = await this.conn().streamAndReadUntil(sql, maxRows + 1);
    return {
      columns: reader.deduplicatedColumnNames(),
      rows: jsonRows(reader, this.dateTypeId, maxRows),
      truncated: reader.currentRowCount > maxRows,
    };
  }

  /** Sets a session variable read in SQL with `getvariable(name)`; keeps secrets (salts) out of SQL text. */
  async setVariable(name: string, value: string): Promise<void> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RangeError(`invalid SQL variable name: ${name}`);
    await this.conn().run(`SET VARIABLE ${name} = $1`, [value]);
  }

  /** Interrupts the running statement (used when the task's signal aborts). */
  interrupt(): void {
    if (!this.closed) this.raw.interrupt();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.closeSync();
    this.instance.closeSync();
  }

  /** The node-api connection, for callers that need more than these helpers; valid until `close`. */
  get connection(): DuckDBConnection {
    return this.conn();
  }

  private conn(): DuckDBConnection {
    if (this.closed) throw new Error('DuckDBSession is closed');
    return this.raw;
  }
}

/** Runs `fn` with a fresh session and always closes it; interrupts DuckDB when `signal` aborts. */
export async function withSession<T>(
  options: DuckDBSessionOptions,
  signal: AbortSignal | undefined,
  fn: (session: DuckDBSession) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const session = await DuckDBSession.create(options);
  const onAbort = (): void => session.interrupt();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(session);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    session.close();
  }
}
