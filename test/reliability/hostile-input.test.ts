import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToParquetOutput } from '@streampro/operators';
import { expect } from 'chai';
import { collect, type Result } from '../cli/helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/fuzz-child.ts');

/**
 * DuckDB is capped at 512 MB in the child; the rest is Node and the generated input (~60 MB). Typical peaks
 * are 450–650 MiB, but one CI run of the invalid-UTF-8 case peaked at 1.5 GiB (DuckDB allocates outside its
 * limit; not reproduced in 20 runs since), so the bound here is 2 GiB. The tighter 1 GiB target for large
 * inputs is measured by the 10 M-line benchmark. See docs/reliability.md.
 */
const MAX_RSS_KB = 2 * 1024 * 1024;

interface FuzzReport {
  readonly expectedRead: number;
  readonly expectedDuplicates: number;
  readonly output: ToParquetOutput;
  readonly parquetRows: number;
  readonly quarantineLines: number;
  readonly quarantineLineNumbers: readonly number[];
  readonly maxRssKb: number;
}

async function fuzz(format: 'jsonl' | 'csv', seed: number, mode = ''): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streampro-fuzz-'));
  try {
    const child = spawn(
      process.execPath,
      ['--openssl-legacy-provider', '--import', 'tsx', CHILD, format, String(seed), dir, mode],
      { stdio: 'pipe', timeout: 90_000 },
    );
    return await collect(child);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function checkReport(r: Result): FuzzReport {
  expect(r.code, r.stderr).to.equal(0);
  const report = JSON.parse(r.stdout) as FuzzReport;
  const out = report.output;
  // Every non-blank line was read, and each landed in exactly one place.
  expect(out.rowsRead).to.equal(report.expectedRead);
  expect(out.rowsRead).to.equal(out.rowsWritten + out.rowsRejected + out.duplicatesDropped);
  expect(out.duplicatesDropped).to.equal(report.expectedDuplicates);
  expect(report.parquetRows, 'rows in the trusted Parquet file').to.equal(out.rowsWritten);
  expect(report.quarantineLines, 'lines in quarantine').to.equal(out.rowsRejected);
  expect(Object.values(out.rejectedByReason).reduce((a, b) => a + b, 0)).to.equal(out.rowsRejected);
  expect(new Set(report.quarantineLineNumbers).size, 'one quarantine record per line').to.equal(
    report.quarantineLines,
  );
  expect(out.rowsRejected, 'the generator produced rejects').to.be.greaterThan(1_000);
  expect(report.maxRssKb, 'peak RSS of the child (KB)').to.be.below(MAX_RSS_KB);
  return report;
}

describe('reliability: hostile input to toParquet (seeded fuzz, child process)', function () {
  this.timeout(120_000);

  it('JSON Lines (events schema): random text, truncated JSON, huge fields, wrong types, controls, a 10 MB line', async () => {
    const report = checkReport(await fuzz('jsonl', 20250110));
    expect(report.output.rejectedByReason.malformed_json).to.be.greaterThan(500);
    expect(report.output.rejectedByReason.line_too_long, 'the 10 MB line').to.equal(1);
    expect(report.output.rowsWritten).to.be.greaterThan(1_000);
  });

  // rowsRead is checked against a plain sequential reading of the records (countCsvRecords): records over
  // several lines, and quotes no line closes, are found the same way by both.
  it('CSV (videos schema): quote bombs, unterminated quotes, records over lines, wrong column counts, random text', async () => {
    const report = checkReport(await fuzz('csv', 20250111));
    const byReason = report.output.rejectedByReason;
    expect(byReason['malformed_csv:bad_quoting']).to.be.greaterThan(100);
    expect(byReason['malformed_csv:unterminated_quote']).to.be.greaterThan(300);
  });

  // DuckDB refuses a whole file for one line of invalid UTF-8; toParquet then marks such lines in a copy and
  // reads again, so each is quarantined as `invalid_utf8` with its line number.
  it('invalid UTF-8 bytes: each bad line is quarantined, the rest of the file still loads', async () => {
    for (const report of [
      checkReport(await fuzz('jsonl', 20250112, 'invalid-utf8')),
      checkReport(await fuzz('csv', 20250113, 'invalid-utf8')),
    ]) {
      expect(
        report.output.rejectedByReason.invalid_utf8,
        'lines quarantined as invalid_utf8',
      ).to.be.greaterThan(0);
    }
  });
});
