import fs from 'node:fs';
import path from 'node:path';
import type { EtlChildResult } from './etl-child.js';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { runTsChild } from './lib/child.js';
import { type EventsFormat, writeEventsFile } from './lib/events-file.js';
import { REPO_ROOT } from './lib/paths.js';
import { Rows } from './lib/report.js';

const CHILD = path.join(REPO_ROOT, 'bench', 'etl-child.ts');
const GIB_MIB = 1024;

function label(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n);
}

/** One conversion in a child process, in a work folder of its own that is removed afterwards. */
async function measure(mode: 'streampro' | 'duckdb', input: string, dir: string): Promise<EtlChildResult> {
  const work = fs.mkdtempSync(path.join(dir, `${mode}-`));
  try {
    // toParquet reads through an ObjectStore rooted at the work folder, so the input is linked into it.
    const linked = path.join(work, path.basename(input));
    fs.linkSync(input, linked);
    return await runTsChild<EtlChildResult>(CHILD, [mode, linked, work]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export async function etlBench(ctx: BenchContext): Promise<BenchOutcome> {
  const sizes = ctx.quick ? [10_000] : (ctx.sizes ?? [1_000_000, 10_000_000]);
  const rows = new Rows();
  const notes: string[] = [];
  const params: Record<string, string | number> = { sizes: sizes.map(label).join(' ') };
  for (const size of sizes) {
    const reps = repsOf(ctx, size >= 5_000_000 ? 2 : 3);
    params[`reps@${label(size)}`] = reps;
    for (const format of ['jsonl', 'csv'] as const satisfies readonly EventsFormat[]) {
      await withTempDir('etl', async (dir) => {
        const input = path.join(dir, `events.${format}`);
        ctx.log(`etl: generating ${label(size)} ${format} lines`);
        const t0 = performance.now();
        const stats = await writeEventsFile(input, size, format);
        notes.push(
          `${label(size)} ${format}: ${(stats.bytes / 2 ** 20).toFixed(0)} MiB, ${stats.duplicates} planted duplicates, ` +
            `${stats.invalid} invalid lines; generated in ${((performance.now() - t0) / 1000).toFixed(1)} s.`,
        );
        const ours: EtlChildResult[] = [];
        const base: EtlChildResult[] = [];
        for (let rep = 0; rep < reps; rep++) {
          ctx.log(`etl: ${label(size)} ${format}, repetition ${rep + 1}/${reps}`);
          // Alternating which goes first spreads a busy machine's slow phases over both.
          if (rep % 2 === 0) {
            ours.push(await measure('streampro', input, dir));
            base.push(await measure('duckdb', input, dir));
          } else {
            base.push(await measure('duckdb', input, dir));
            ours.push(await measure('streampro', input, dir));
          }
        }
        const expected = size - stats.duplicates - stats.invalid;
        if (ours.some((r) => r.rowsWritten !== expected)) {
          // Every planted problem is rejected or dropped and nothing else: a difference is a defect to report.
          notes.push(
            `MISMATCH: toParquet wrote ${ours.map((r) => r.rowsWritten).join('/')} rows at ${label(size)} ${format}, ` +
              `expected ${expected} (input lines − planted duplicates − planted invalid lines).`,
          );
        }
        const baseName = `baseline: DuckDB COPY, ${label(size)} ${format}`;
        const ourName = `toParquet, ${label(size)} ${format}`;
        const rate = (r: EtlChildResult) => (size * 1000) / r.ms;
        rows.add(baseName, 'input lines/s', base.map(rate));
        rows.compare(ourName, 'input lines/s', ours.map(rate), baseName, {
          text: '≥ 70% of DuckDB COPY',
          ok: (ratio) => ratio >= 0.7,
        });
        const split = ours.map((r) => (r.validatedMs === null ? Number.NaN : (100 * r.validatedMs) / r.ms));
        if (split.every((v) => Number.isFinite(v))) {
          rows.add(ourName, '% of time before validated (copy in, parse, validate, dedup)', split);
        }
        rows.add(
          baseName,
          'peak RSS MiB',
          base.map((r) => r.maxRssMiB),
        );
        const rss = ours.map((r) => r.maxRssMiB);
        if (size >= 10_000_000) {
          rows.compare(ourName, 'peak RSS MiB', rss, baseName, {
            text: '< 1 GiB',
            ok: (_r, v) => v.max < GIB_MIB,
          });
        } else {
          rows.compare(ourName, 'peak RSS MiB', rss, baseName);
        }
      });
    }
  }
  notes.push(
    'Each conversion runs in its own Node process (tsx loaded, module loading not timed); peak RSS is that ' +
      "process's maxRSS, DuckDB's native memory included. Rates are input lines / conversion time for both sides.",
    'toParquet: the StreamPro events schema (dags/lib/streampro/schemas.ts) on a LocalStore: copy of the input ' +
      'into its work folder, typed staging with validation, de-duplication on event_id, quarantine file, ' +
      'Parquet written and published; memory limit 500MB (its default), threads = cores.',
    'Baseline: `COPY (SELECT * FROM read_json|read_csv(file, ignore_errors = true)) TO ... (FORMAT PARQUET)` ' +
      'in a fresh in-memory DuckDB with default settings (memory limit 80% of RAM): types auto-detected, no ' +
      'validation, no de-duplication.',
  );
  return { params, rows: rows.rows, notes };
}
