import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Report } from '../../dags/lib/analytics/report.js';
import { expectDirtAccountedFor, readManifest } from './support/dirt.js';
import { literal, withDuckDB } from './support/duckdb.js';
import {
  DATA,
  DATASETS,
  DATE,
  filesUnder,
  lakeKeys,
  landingFile,
  PipelineSandbox,
  type Result,
  type RunStatus,
  trustedOutput,
} from './support/sandbox.js';

/** Distinctive, so that finding it anywhere in a log cannot be a coincidence. */
const SALT = 'e2e-salt-7f3c9a1d5b';

// One run serves every test here: they only read what it left behind.
describe('streampro e2e: dag run streampro --date 2025-09-09 (local lake)', function () {
  this.timeout(60_000);
  let sb: PipelineSandbox;
  let result: Result;
  let run: RunStatus;

  before(async () => {
    sb = new PipelineSandbox({ STREAMPRO_EMAIL_SALT: SALT });
    result = await sb.dag(['run', 'streampro', '--date', DATE]);
    expect(result.code, result.stderr).to.equal(0);
    run = await sb.status('streampro', DATE);
  });
  after(() => sb?.cleanup());

  it('succeeds, prints the three answers and writes every lake layer and the report', () => {
    expect(run.state).to.equal('success');
    expect(run.tasks.filter((t) => t.state !== 'success').map((t) => t.taskId)).to.deep.equal([]);
    expect(result.stdout).to.match(/analytics 2025-09-09 \(asset_triggered__2025-09-09\): success/);
    expect(result.stdout).to.match(/^Q1 +1\.0% of 100 new users/m);
    expect(result.stdout).to.match(/^Q2 .*: Comedy /m);
    expect(result.stdout).to.match(/^Q3 .*: iOS 2\.0\.1 /m);

    for (const dataset of DATASETS) {
      for (const [layer, key] of Object.entries(lakeKeys(dataset, DATE))) {
        expect(fs.existsSync(sb.lakePath(key)), `${layer} of ${dataset}: ${key}`).to.equal(true);
      }
    }
    const prefix = `analytics/report_date=${DATE}/`;
    expect(fs.readFileSync(sb.lakePath(`${prefix}report.md`), 'utf8')).to.contain('Comedy');
    const report = JSON.parse(fs.readFileSync(sb.lakePath(`${prefix}report.json`), 'utf8')) as Report;
    expect(report.reportDate).to.equal(DATE);
    expect(report.q1).to.include({ newUsers: 100, reached30s: 1, pct: 1 });
    expect(report.q2.top).to.equal('Comedy');
    expect(report.q2.genres).to.have.length.greaterThan(1);
    for (const g of report.q2.genres) {
      expect(g.ci95, g.genre).to.have.length(2);
      expect(g.ci95[0], `${g.genre} lower bound`).to.be.within(0, g.rate);
      expect(g.ci95[1], `${g.genre} upper bound`).to.be.within(g.rate, 1);
    }
    expect(report.q3.abnormal).to.deep.equal([{ deviceOs: 'iOS', appVersion: '2.0.1' }]);
    for (const file of ['q1-watch-time.svg', 'q2-retention.svg', 'q3-dropoff.svg', 'trend.svg']) {
      expect(fs.readFileSync(sb.lakePath(`${prefix}${file}`), 'utf8'), file).to.contain(
        '<title id="chart-title">',
      );
    }
  });

  it("reports each dataset's read, trusted, quarantined and duplicate rows, as the lake holds them", () => {
    const report = JSON.parse(
      fs.readFileSync(sb.lakePath(`analytics/report_date=${DATE}/report.json`), 'utf8'),
    ) as Report;
    let quarantined = 0;
    for (const dataset of DATASETS) {
      const key = lakeKeys(dataset, DATE).quarantine;
      const lines = fs.existsSync(sb.lakePath(key))
        ? fs
            .readFileSync(sb.lakePath(key), 'utf8')
            .split('\n')
            .filter((l) => l !== '')
        : [];
      const byReason: Record<string, number> = {};
      for (const line of lines) {
        const { reason } = JSON.parse(line) as { reason: string };
        byReason[reason] = (byReason[reason] ?? 0) + 1;
      }
      const quality = report.dataQuality[dataset];
      expect(quality.partitions, dataset).to.deep.equal([DATE]);
      expect(quality.quarantined, dataset).to.equal(lines.length);
      expect(quality.quarantinedByReason, dataset).to.deep.equal(byReason);
      expect(quality.rowsWritten, dataset).to.be.greaterThan(0);
      // Read and duplicates come from the counts the trusted task recorded beside its partition.
      const out = trustedOutput(run, dataset);
      expect([quality.rowsRead, quality.rowsWritten, quality.duplicatesDropped], dataset).to.deep.equal([
        out.rowsRead,
        out.rowsWritten,
        out.duplicatesDropped,
      ]);
      quarantined += lines.length;
    }
    // The sample plants dirt, so the section must show some.
    expect(quarantined).to.be.greaterThan(0);
  });

  it('quarantines every planted dirty line at its line number with a fitting reason, and loads the rest', async () => {
    const manifest = readManifest(DATA, DATE);
    // The sample must still exercise a BOM and CRLF endings, else this test would prove nothing about them.
    const bom = manifest.find((e) => e.kind === 'bom');
    const crlf = manifest.find((e) => e.kind === 'crlf');
    expect(bom && fs.readFileSync(path.join(DATA, bom.file)).subarray(0, 3)).to.deep.equal(
      Buffer.from([0xef, 0xbb, 0xbf]),
    );
    expect(crlf && fs.readFileSync(path.join(DATA, crlf.file), 'utf8')).to.contain('\r\n');
    await expectDirtAccountedFor(sb, DATA, DATE, run);
  });

  it('pseudonymises emails with the salted SHA-256 and never logs the salt', async () => {
    const landing = fs
      .readFileSync(path.join(DATA, landingFile('users', DATE)), 'utf8')
      .replace(/^\uFEFF/, '');
    const expected = new Map<string, string>();
    for (const line of landing.split(/\r?\n/).slice(1)) {
      const fields = line.split(',');
      const [userId, , , , email] = fields;
      // Clean rows only (5 fields, an id); the dirty ones are checked by the quarantine test.
      if (fields.length !== 5 || !userId || email === undefined) continue;
      const normalised = email.trim().toLowerCase();
      expected.set(
        userId,
        createHash('sha256')
          .update(SALT + normalised)
          .digest('hex'),
      );
    }

    const trusted = sb.lakePath(lakeKeys('users', DATE).trusted);
    const { columns, rows } = await withDuckDB(async (query) => ({
      columns: (await query(`DESCRIBE SELECT * FROM read_parquet(${literal(trusted)})`)).map(
        (r) => r.column_name,
      ),
      rows: await query(`SELECT user_id, email_sha256 FROM read_parquet(${literal(trusted)})`),
    }));
    expect(columns).to.include('email_sha256').and.not.include('email');
    expect(rows).to.have.length(100);
    for (const row of rows) {
      const userId = String(row.user_id);
      expect(row.email_sha256, `email_sha256 of ${userId}`).to.equal(expected.get(userId));
    }

    const logs = filesUnder(path.join(sb.home, 'logs'));
    // One segment per run (streampro and the analytics run it triggered), holding every try's lines.
    const starts = logs.flatMap((f) => fs.readFileSync(f, 'utf8').match(/"message":"starting try/g) ?? []);
    expect(starts.length, 'tries logged').to.be.greaterThan(DATASETS.length * 3);
    for (const file of logs) {
      expect(
        fs.readFileSync(file, 'utf8').includes(SALT),
        `salt in ${path.relative(sb.home, file)}`,
      ).to.equal(false);
    }
    expect(result.stdout + result.stderr).not.to.contain(SALT);
  });
});
