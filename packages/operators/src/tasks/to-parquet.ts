import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NonRetryableError } from '@streampro/engine';
import { withSession } from '../duckdb/session.js';
import { readCsvHeader } from '../schema/csv-header.js';
import { outcomeCountsSql, outputCopySql, quarantineCopySql } from '../schema/finish-sql.js';
import { DUPLICATE, type SourceFormat } from '../schema/staging-sql.js';
import type { TableSchema } from '../schema/types.js';
import { validateSchema } from '../schema/validate-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { makeWorkFolder } from '../work/work-folder.js';
import { type OperatorContext, type OperatorRun, type Resolvable, resolve } from './operator.js';
import { stageInput } from './stage-input.js';

export interface ToParquetOptions {
  readonly input: {
    readonly store: ObjectStore;
    readonly key: Resolvable<string>;
    /** @default from the key's extension: `.csv` is CSV, `.jsonl`/`.ndjson`/`.json` is JSON Lines */
    readonly format?: SourceFormat;
    /** CSV field delimiter (one character). @default ',' */
    readonly delimiter?: string;
  };
  /** Where the Parquet file is published (atomically, replacing a previous run's). */
  readonly output: { readonly store: ObjectStore; readonly key: Resolvable<string> };
  /**
   * Where rejected lines are written as JSON Lines. Written whenever rows are rejected, also when
   * the reject ratio then fails the task, so the failure can be diagnosed; a stale quarantine of
   * an earlier run is deleted when this run rejects nothing.
   */
  readonly quarantine: { readonly store?: ObjectStore; readonly key: Resolvable<string> };
  readonly schema: TableSchema;
  /**
   * A line (or CSV record over several lines) longer than this many bytes is not read: it is quarantined as
   * `line_too_long` with its first KiB (a CSV line opening a quoted field that would only close past the
   * limit is `malformed_csv:unterminated_quote`). Bounds the memory one line can take.
   * @default 8 MiB (8388608)
   */
  readonly maxLineBytes?: number;
  /** Fail (NonRetryableError, nothing published) when rejected / read exceeds this. @default 0.2 */
  readonly maxRejectRatio?: number;
  /** Values set as DuckDB variables for derived SQL (`getvariable('email_salt')`); masked in logs. */
  readonly secrets?: Readonly<Record<string, Resolvable<string>>>;
  /**
   * DuckDB memory cap; larger inputs spill to the work folder. DuckDB allocates beyond it (reader buffers),
   * so the process peaks near 1.6–2x this value: 500 MB keeps a 10 M-line conversion under 1 GiB of RSS (600 MB
   * peaked at 1,031–1,104 MiB on 10 M JSON lines in December 2026; 500 MB: 943 MiB, and no slower).
   * The line reader's buffer grows with `maxLineBytes` (16 MiB lines needed ~400 MB).
   * @default '500MB'
   */
  readonly memoryLimit?: string;
  /** @default the machine's available parallelism */
  readonly threads?: number;
  /**
   * Parse with DuckDB's parallel native reader when a prescan finds the file fit for it (every line a record,
   * valid UTF-8, no NUL, no over-long or blank line, for CSV no quote); other files take the line-by-line
   * path. Both give the same output, quarantine and counts. Off by default: in the etl benchmark
   * (docs/benchmarks.md) it was no faster end to end and peaked above 1 GiB of RSS at 10 M lines (the
   * parallel reader's buffers), where the line-by-line path stays under it.
   * @default false
   */
  readonly nativeRead?: boolean;
  /**
   * Parent of the per-run work folder: the downloaded input, the local output, and DuckDB's spill
   * files (the staged table lives in memory up to `memoryLimit`, then spills there).
   * @default os.tmpdir()
   */
  readonly workDir?: string;
}

export interface ToParquetOutput {
  /**
   * Non-blank data records (CSV header excluded): a line, or a CSV record whose quoted fields hold line
   * breaks (one record over several lines, counted once). Equals written + rejected + duplicatesDropped.
   */
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsRejected: number;
  /** Reject counts by reason (`missing_required:user_id`, `malformed_json`, ...). */
  readonly rejectedByReason: Record<string, number>;
  readonly duplicatesDropped: number;
  readonly outputKeys: string[];
  /** Null when no row was rejected. */
  readonly quarantineKey: string | null;
}

/** Raised when too many rows break the schema; nothing is published to the output location. */
export class RejectRatioExceededError extends NonRetryableError {
  override readonly name = 'RejectRatioExceededError';
  constructor(
    readonly counts: Pick<ToParquetOutput, 'rowsRead' | 'rowsRejected' | 'rejectedByReason'>,
    readonly maxRejectRatio: number,
  ) {
    const ratio = counts.rowsRead === 0 ? 0 : counts.rowsRejected / counts.rowsRead;
    const reasons = Object.entries(counts.rejectedByReason)
      .map(([reason, n]) => `${reason}=${n}`)
      .join(', ');
    super(
      `${counts.rowsRejected} of ${counts.rowsRead} rows rejected (ratio ${ratio.toFixed(4)} > max ${maxRejectRatio}); ` +
        `by reason: ${reasons}; output not written`,
    );
  }
}

const STAGED = 'staged';
const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * CSV or JSON Lines -> Parquet under a declared schema. The file is downloaded to a work folder,
 * parsed, normalised, validated and de-duplicated by DuckDB in SQL (parallel, memory-bounded),
 * rejects go to a quarantine file with their line number and text, and the Parquet file is
 * written locally then published with the store's atomic put. Re-running with the same input
 * overwrites the same key with the same rows.
 */
export function toParquet(options: ToParquetOptions): OperatorRun<ToParquetOutput> {
  validateSchema(options.schema);
  const maxRejectRatio = options.maxRejectRatio ?? 0.2;
  if (!(maxRejectRatio >= 0 && maxRejectRatio <= 1)) {
    throw new RangeError(`maxRejectRatio must be within [0, 1], got ${maxRejectRatio}`);
  }
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!(Number.isSafeInteger(maxLineBytes) && maxLineBytes >= 1024)) {
    throw new RangeError(`maxLineBytes must be an integer of at least 1024, got ${maxLineBytes}`);
  }
  const delimiter = options.input.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(
      `delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`,
    );
  }
  return async (ctx) => {
    const inputKey = await resolve(options.input.key, ctx);
    const outputKey = await resolve(options.output.key, ctx);
    const quarantineKey = await resolve(options.quarantine.key, ctx);
    const quarantineStore = options.quarantine.store ?? options.output.store;
    const format = options.input.format ?? formatOf(inputKey);
    const secrets = await resolveSecrets(options.secrets, ctx);
    const dir = await makeWorkFolder(options.workDir ?? tmpdir(), 'streampro-to-parquet-');
    try {
      const localInput = path.join(dir, format === 'csv' ? 'input.csv' : 'input.jsonl');
      await options.input.store.getToFile(inputKey, localInput, { signal: ctx.signal });
      await refuseUtf16(localInput, inputKey);
      const header = format === 'csv' ? await readCsvHeader(localInput, delimiter) : undefined;
      if (format === 'csv') checkHeader(options.schema, header?.fields ?? [], inputKey);
      const firstRow = header?.line ?? 0;
      const sessionOptions = {
        tempDirectory: path.join(dir, 'spill'),
        memoryLimit: options.memoryLimit ?? '500MB',
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
      };
      return await withSession(sessionOptions, ctx.signal, async (session) => {
        for (const [name, value] of Object.entries(secrets)) await session.setVariable(name, value);
        const staged = await stageInput(session, {
          table: STAGED,
          localInput,
          format,
          delimiter,
          firstRow,
          maxLineBytes,
          schema: options.schema,
          runDate: ctx.ds,
          native: options.nativeRead === true,
          ...(header ? { header: header.fields } : {}),
          ctx,
          inputKey,
        });
        ctx.log.debug(`toParquet staged ${inputKey} ${staged}`);
        const counts = tally(await session.all(outcomeCountsSql(STAGED, firstRow)));
        let publishedQuarantine: string | null = null;
        if (counts.rowsRejected > 0) {
          const localQuarantine = path.join(dir, 'quarantine.jsonl');
          await session.run(quarantineCopySql(STAGED, options.schema, inputKey, firstRow, localQuarantine));
          await quarantineStore.putFile(quarantineKey, localQuarantine, { signal: ctx.signal });
          publishedQuarantine = quarantineKey;
        } else if (await quarantineStore.exists(quarantineKey)) {
          await quarantineStore.delete(quarantineKey);
        }
        ctx.log.info('toParquet validated input', {
          inputKey,
          ...counts,
          quarantineKey: publishedQuarantine,
        });
        if (counts.rowsRead > 0 && counts.rowsRejected / counts.rowsRead > maxRejectRatio) {
          throw new RejectRatioExceededError(counts, maxRejectRatio);
        }
        const localOutput = path.join(dir, 'output.parquet');
        const written = await session.run(outputCopySql(STAGED, options.schema, firstRow, localOutput));
        if (written !== counts.rowsWritten) {
          throw new Error(`internal: counted ${counts.rowsWritten} valid rows but wrote ${written}`);
        }
        await options.output.store.putFile(outputKey, localOutput, { signal: ctx.signal });
        return { ...counts, outputKeys: [outputKey], quarantineKey: publishedQuarantine };
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

function formatOf(key: string): SourceFormat {
  const lower = key.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson') || lower.endsWith('.json')) return 'jsonl';
  throw new NonRetryableError(`cannot tell the format of ${key}: set input.format to 'csv' or 'jsonl'`);
}

/** A required column absent from the header would reject every row: fail once, clearly, instead. */
function checkHeader(schema: TableSchema, fields: readonly string[], key: string): void {
  const present = new Set(fields.map((f) => f.trim().toLowerCase()));
  const missing = Object.entries(schema.columns)
    .filter(
      ([name, column]) => column.required === true && !present.has((column.source ?? name).toLowerCase()),
    )
    .map(([name, column]) => column.source ?? name);
  if (fields.length > 0 && missing.length > 0) {
    throw new NonRetryableError(`CSV header of ${key} lacks required column(s): ${missing.join(', ')}`);
  }
  // An optional column absent while the header has a column the schema does not know looks like a rename
  // (email → e_mail): every value of it would silently be NULL. Say so instead.
  const known = new Set(Object.entries(schema.columns).map(([name, c]) => (c.source ?? name).toLowerCase()));
  const absent = Object.entries(schema.columns)
    .map(([name, c]) => c.source ?? name)
    .filter((name) => !present.has(name.toLowerCase()));
  const unknown = fields.map((f) => f.trim()).filter((f) => f !== '' && !known.has(f.toLowerCase()));
  if (fields.length > 0 && absent.length > 0 && unknown.length > 0) {
    throw new NonRetryableError(
      `CSV header of ${key} lacks column(s) ${absent.join(', ')} and has unknown column(s) ${unknown.join(', ')}: a renamed column? Fix the header or the schema`,
    );
  }
}

/** DuckDB reads UTF-8 only: a UTF-16 file (its byte order mark) gets one clear error, not a header error. */
async function refuseUtf16(localPath: string, key: string): Promise<void> {
  const handle = await open(localPath, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    const bom = bytesRead === 2 ? buffer.readUInt16BE(0) : 0;
    if (bom === 0xfffe || bom === 0xfeff) {
      throw new NonRetryableError(
        `${key} is UTF-16 (${bom === 0xfffe ? 'little' : 'big'}-endian byte order mark); convert it to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`,
      );
    }
  } finally {
    await handle.close();
  }
}

async function resolveSecrets(
  secrets: Readonly<Record<string, Resolvable<string>>> | undefined,
  ctx: OperatorContext,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(secrets ?? {})) {
    const resolved = await resolve(value, ctx);
    ctx.maskSecret(resolved);
    out[name] = resolved;
  }
  return out;
}

function tally(
  rows: readonly Record<string, unknown>[],
): Omit<ToParquetOutput, 'outputKeys' | 'quarantineKey'> {
  const rejectedByReason: Record<string, number> = {};
  let rowsWritten = 0;
  let duplicatesDropped = 0;
  let rowsRejected = 0;
  for (const row of rows) {
    const n = Number(row.n);
    if (row.reason === null) rowsWritten = n;
    else if (row.reason === DUPLICATE) duplicatesDropped = n;
    else {
      rejectedByReason[String(row.reason)] = n;
      rowsRejected += n;
    }
  }
  const rowsRead = rowsWritten + rowsRejected + duplicatesDropped;
  // Sorted so that the same input yields a byte-identical task output.
  const sorted = Object.fromEntries(Object.entries(rejectedByReason).sort(([a], [b]) => a.localeCompare(b)));
  return { rowsRead, rowsWritten, rowsRejected, rejectedByReason: sorted, duplicatesDropped };
}
