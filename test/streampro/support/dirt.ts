import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { keyCounts } from './duckdb.js';
import {
  DATASETS,
  KEY_OF,
  lakeKeys,
  landingFile,
  type PipelineSandbox,
  type Reject,
  type RunStatus,
  readJsonl,
  trustedOutput,
} from './sandbox.js';

/** One entry of `manifests/dirt_D.json`, as the generator writes it. */
export interface DirtEntry {
  readonly file: string;
  readonly kind: string;
  /** 1-based physical line (header = 1); null for whole-file kinds. */
  readonly line: number | null;
}

/** The reject reason each planted kind must produce, as a prefix of the reason code. */
export const REASON_PREFIX: Readonly<Record<string, string>> = {
  missing_field: 'missing_required:',
  wrong_column_count: 'malformed_csv:wrong_column_count',
  bad_timestamp: 'invalid_type:',
  negative_watch_time: 'out_of_range:watch_time',
  unknown_event_type: 'not_allowed:event_type',
  malformed_json: 'malformed_json',
};

/** Kinds that are valid rows repeated: dropped by the dedup key, counted in `duplicatesDropped`. */
const DUPLICATE_KINDS = new Set(['duplicate_event', 'duplicate_row']);

/** Kinds that are not rows at all: blank lines are skipped, a BOM or CRLF endings must read as usual. */
const TRANSPARENT_KINDS = new Set(['blank_line', 'bom', 'crlf']);

export function readManifest(dataDir: string, date: string): DirtEntry[] {
  return JSON.parse(
    fs.readFileSync(path.join(dataDir, 'manifests', `dirt_${date}.json`), 'utf8'),
  ) as DirtEntry[];
}

/**
 * Non-blank data lines of a landing file, counted here independently of the pipeline: a BOM is
 * dropped, CRLF counts as one break, and a CSV's header line is not data.
 */
export function dataLineCount(file: string): number {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(file.endsWith('.csv') ? 1 : 0).filter((line) => /\S/.test(line)).length;
}

/**
 * Checks one day's run against its dirt manifest, for every dataset: each planted reject is in the
 * quarantine at its line with a fitting reason, and nothing else is; duplicates are counted as
 * dropped; the counts add up to the landing file's data lines; and every clean line reached trusted.
 */
export async function expectDirtAccountedFor(
  sb: PipelineSandbox,
  dataDir: string,
  date: string,
  run: RunStatus,
): Promise<void> {
  const manifest = readManifest(dataDir, date);
  const unknown = manifest.filter(
    (e) => !(e.kind in REASON_PREFIX) && !DUPLICATE_KINDS.has(e.kind) && !TRANSPARENT_KINDS.has(e.kind),
  );
  expect(unknown, 'dirt kinds this test has no expected outcome for').to.deep.equal([]);

  for (const dataset of DATASETS) {
    const file = landingFile(dataset, date);
    const keys = lakeKeys(dataset, date);
    const entries = manifest.filter((e) => e.file === file);
    const planted = entries.filter((e) => e.kind in REASON_PREFIX);
    const duplicates = entries.filter((e) => DUPLICATE_KINDS.has(e.kind));
    for (const e of [...planted, ...duplicates])
      expect(e.line, `${file} ${e.kind} has a line`).to.be.a('number');

    const quarantine = path.join(sb.lake, keys.quarantine);
    const rejects = fs.existsSync(quarantine) ? readJsonl<Reject>(quarantine) : [];
    // Exactly the planted lines: a clean line quarantined is as wrong as a dirty line let through.
    expect(
      rejects.map((r) => r.line),
      `${dataset}: quarantined lines`,
    ).to.deep.equal(planted.map((e) => e.line).sort((a, b) => (a ?? 0) - (b ?? 0)));
    for (const entry of planted) {
      const reject = rejects.find((r) => r.line === entry.line);
      const prefix = REASON_PREFIX[entry.kind] ?? '';
      expect(reject?.reason, `${file}:${entry.line} (${entry.kind})`).to.satisfy((reason: string) =>
        reason.startsWith(prefix),
      );
      expect(reject?.source).to.equal(keys.raw);
      expect(reject?.text, `${file}:${entry.line} keeps its text`).to.be.a('string').and.not.equal('');
    }

    const out = trustedOutput(run, dataset);
    const byReason: Record<string, number> = {};
    for (const r of rejects) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    expect(out.rejectedByReason, `${dataset}: rejectedByReason`).to.deep.equal(byReason);
    expect(out.rowsRejected, `${dataset}: rowsRejected`).to.equal(planted.length);
    expect(out.duplicatesDropped, `${dataset}: duplicatesDropped`).to.equal(duplicates.length);
    expect(out.quarantineKey).to.equal(planted.length > 0 ? keys.quarantine : null);

    const lines = dataLineCount(path.join(dataDir, file));
    expect(out.rowsRead, `${dataset}: rowsRead vs data lines of ${file}`).to.equal(lines);
    expect(out.rowsRead, `${dataset}: counts add up`).to.equal(
      out.rowsWritten + out.rowsRejected + out.duplicatesDropped,
    );
    // Every line the manifest does not name is clean, so all of them must be written (BOM/CRLF too).
    expect(out.rowsWritten, `${dataset}: every clean line written`).to.equal(
      lines - planted.length - duplicates.length,
    );
    const counts = await keyCounts(path.join(sb.lake, keys.trusted), KEY_OF[dataset]);
    expect(counts, `${dataset}: trusted Parquet`).to.deep.equal({
      rows: out.rowsWritten,
      keys: out.rowsWritten,
    });
  }
}
