import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { keyCounts, parquetRows, type Row } from './support/duckdb.js';
import {
  DATA,
  DATASETS,
  DATE,
  type Dataset,
  KEY_OF,
  lakeKeys,
  landingFile,
  PipelineSandbox,
  sha256,
} from './support/sandbox.js';

interface RawSnapshot {
  readonly sha256: string;
  readonly mtimeMs: number;
}

describe('streampro e2e: raw is immutable and trusted idempotent', function () {
  this.timeout(60_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  it('copies landing files byte for byte into raw; --force rewrites trusted identically and leaves raw alone', async () => {
    const first = await sb.dag(['run', 'streampro', '--date', DATE, '--no-downstream']);
    expect(first.code, first.stderr).to.equal(0);

    const raw = {} as Record<Dataset, RawSnapshot>;
    const trusted = {} as Record<Dataset, Row[]>;
    for (const dataset of DATASETS) {
      const keys = lakeKeys(dataset, DATE);
      const source = sha256(fs.readFileSync(path.join(DATA, landingFile(dataset, DATE))));
      expect(sha256(fs.readFileSync(sb.lakePath(keys.landing))), `landing ${dataset}`).to.equal(source);
      expect(sha256(fs.readFileSync(sb.lakePath(keys.raw))), `raw ${dataset}`).to.equal(source);
      raw[dataset] = { sha256: source, mtimeMs: fs.statSync(sb.lakePath(keys.raw)).mtimeMs };
      trusted[dataset] = await parquetRows(sb.lakePath(keys.trusted), KEY_OF[dataset]);
    }

    const again = await sb.dag(['run', 'streampro', '--date', DATE, '--force', '--no-downstream']);
    expect(again.code, again.stderr).to.equal(0);
    const run = await sb.status('streampro', DATE);
    expect(run.state).to.equal('success');
    // --force really executed the tasks again (a second try), or this test would prove nothing.
    expect(run.tasks.find((t) => t.taskId === 'events.trusted')?.tryNumber).to.be.greaterThan(1);

    for (const dataset of DATASETS) {
      const keys = lakeKeys(dataset, DATE);
      const rawFile = sb.lakePath(keys.raw);
      expect(
        { sha256: sha256(fs.readFileSync(rawFile)), mtimeMs: fs.statSync(rawFile).mtimeMs },
        `raw ${dataset} untouched`,
      ).to.deep.equal(raw[dataset]);
      const file = sb.lakePath(keys.trusted);
      const counts = await keyCounts(file, KEY_OF[dataset]);
      expect(counts.rows, `${dataset} rows`).to.equal(trusted[dataset].length);
      expect(counts.keys, `${dataset} distinct ${KEY_OF[dataset]}`).to.equal(counts.rows);
      expect(await parquetRows(file, KEY_OF[dataset]), `${dataset} trusted rows`).to.deep.equal(
        trusted[dataset],
      );
    }
  });
});
