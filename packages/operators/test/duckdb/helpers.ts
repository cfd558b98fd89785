import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonRow } from '../../src/duckdb/json-rows.js';
import { DuckDBSession } from '../../src/duckdb/session.js';
import { pathLiteral } from '../../src/duckdb/sql.js';
import { LocalStore } from '../../src/storage/local-store.js';

/** A temp folder with a LocalStore lake in it; `cleanup` removes both. */
export interface Sandbox {
  readonly dir: string;
  readonly store: LocalStore;
  /** Writes an object (text or bytes) into the lake under `key`. */
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** Writes the result of a DuckDB query as a Parquet object of the lake. */
  putParquet(key: string, sql: string): Promise<void>;
  /** Reads a Parquet object of the lake back with DuckDB, in file order. */
  readParquet(key: string, sql?: string): Promise<JsonRow[]>;
  cleanup(): Promise<void>;
}

export async function sandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(path.join(tmpdir(), 'streampro-duckdb-test-'));
  const store = await LocalStore.open(path.join(dir, 'lake'));
  await mkdir(path.join(dir, 'work'), { recursive: true });
  return {
    dir,
    store,
    async put(key, body) {
      await store.putBytes(key, body);
    },
    async putParquet(key, sql) {
      const local = path.join(dir, 'work', `write-${Math.random().toString(36).slice(2)}.parquet`);
      const session = await DuckDBSession.create({
        tempDirectory: path.join(dir, 'work', 'spill'),
        threads: 1,
      });
      try {
        await session.run(`COPY (${sql}) TO ${pathLiteral(local)} (FORMAT PARQUET)`);
      } finally {
        session.close();
      }
      await store.putFile(key, local);
    },
    async readParquet(key, sql = 'SELECT * FROM t') {
      const local = path.join(dir, 'work', `read-${Math.random().toString(36).slice(2)}.parquet`);
      await store.getToFile(key, local);
      const session = await DuckDBSession.create({
        tempDirectory: path.join(dir, 'work', 'spill'),
        threads: 1,
      });
      try {
        await session.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${pathLiteral(local)})`);
        return await session.all(sql);
      } finally {
        session.close();
      }
    },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a local file (outside the lake) and returns its path. */
export async function writeLocal(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, body);
  return file;
}
