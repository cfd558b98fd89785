import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DayRecords } from '../../../scripts/generate/index.js';
import { loadTrusted } from './trusted.js';

/** Runs `fn` on a fresh in-memory DuckDB holding the given trusted partitions; its temp dir is removed after. */
export async function withTrusted<T>(
  days: readonly DayRecords[],
  fn: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'streampro-analytics-'));
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  try {
    const connection = await instance.connect();
    try {
      await loadTrusted(connection, days, dir);
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
