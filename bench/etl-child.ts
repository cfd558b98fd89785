/**
 * One ETL measurement in its own process, so its peak RSS is its own: `node --import tsx bench/etl-child.ts
 * <streampro|duckdb> <input file> <work dir>`. Prints one JSON line: rows written, time of the conversion
 * (module loading excluded) and the process's max RSS.
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { TaskLogger } from '@streampro/engine';
import { eventsSchema, LocalStore, toParquet } from './lib/operators.js';

export interface EtlChildResult {
  readonly rowsWritten: number;
  readonly rowsRejected: number;
  readonly ms: number;
  /** toParquet only: start to its 'validated input' log line (copy in, parse, validate, de-duplicate, count). */
  readonly validatedMs: number | null;
  readonly maxRssMiB: number;
}

// Lines are not written anywhere (the pipeline benchmark covers per-try logs); the one info line marks
// the end of validation, which splits the time into reading+validating and writing+publishing.
let validatedAt: number | null = null;
const quiet: TaskLogger = {
  scope: { dagId: 'bench', runId: 'bench', taskId: 'to_parquet', tryNumber: 1 },
  error() {},
  warn() {},
  info(message) {
    if (message.startsWith('toParquet validated')) validatedAt = performance.now();
  },
  debug() {},
};

async function viaToParquet(input: string, work: string): Promise<Omit<EtlChildResult, 'maxRssMiB'>> {
  const store = await LocalStore.open(work);
  const key = path.basename(input);
  const run = toParquet({
    input: { store, key },
    output: { store, key: 'trusted/events.parquet' },
    quarantine: { key: 'quarantine/rejects.jsonl' },
    schema: eventsSchema,
    secrets: { email_salt: 'bench' },
    workDir: work,
  });
  const t0 = performance.now();
  const out = await run({
    ds: '2025-09-09',
    logicalDate: '2025-09-09T00:00:00.000Z',
    log: quiet,
    signal: new AbortController().signal,
    maskSecret() {},
  });
  const ms = performance.now() - t0;
  const validatedMs = validatedAt === null ? null : validatedAt - t0;
  return { rowsWritten: out.rowsWritten, rowsRejected: out.rowsRejected, ms, validatedMs };
}

/** The plain DuckDB conversion toParquet is compared with: read, write Parquet, nothing else. */
async function viaDuckdb(input: string, work: string): Promise<Omit<EtlChildResult, 'maxRssMiB'>> {
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  const src = input.replaceAll("'", "''");
  const reader = input.endsWith('.csv')
    ? `read_csv('${src}', header = true, ignore_errors = true)`
    : `read_json('${src}', format = 'newline_delimited', ignore_errors = true)`;
  const target = path.join(work, 'duckdb.parquet').replaceAll("'", "''");
  const result = await connection.run(`COPY (SELECT * FROM ${reader}) TO '${target}' (FORMAT PARQUET)`);
  const ms = performance.now() - t0;
  const rowsWritten = result.rowsChanged;
  connection.closeSync();
  instance.closeSync();
  return { rowsWritten, rowsRejected: 0, ms, validatedMs: null };
}

const [mode, input, work] = process.argv.slice(2);
if ((mode !== 'streampro' && mode !== 'duckdb') || !input || !work) {
  process.stderr.write('usage: etl-child.ts <streampro|duckdb> <input file> <work dir>\n');
  process.exit(2);
}
const measured = mode === 'streampro' ? await viaToParquet(input, work) : await viaDuckdb(input, work);
// resourceUsage().maxRSS is in KiB and covers the whole process, DuckDB's native memory included.
const result: EtlChildResult = { ...measured, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
process.stdout.write(`${JSON.stringify(result)}\n`);
