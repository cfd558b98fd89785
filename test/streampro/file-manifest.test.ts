import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { DATA, DATASETS, DATE, landingFile, PipelineSandbox, sha256, task } from './support/sandbox.js';

/** The facts of a file computed here from its bytes, independently of the DAG's streaming reader. */
function facts(bytes: Buffer): { bytes: number; sha256: string; lines: number } {
  const text = bytes.toString('latin1');
  const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  return { bytes: bytes.length, sha256: sha256(bytes), lines };
}

describe('streampro e2e: landing checks each file against its manifest', function () {
  this.timeout(90_000);
  let sb: PipelineSandbox;
  beforeEach(() => {
    sb = new PipelineSandbox();
  });
  afterEach(() => sb.cleanup());

  it('lands files that match; a truncated delivery fails `land` once, with both values of each difference', async () => {
    const dataDir = path.join(sb.root, 'landing-data');
    fs.mkdirSync(path.join(dataDir, 'manifests'), { recursive: true });
    const entries = DATASETS.map((dataset) => {
      const file = landingFile(dataset, DATE);
      const full = fs.readFileSync(path.join(DATA, file));
      // events arrives cut after its first 1000 bytes (mid-line); the manifest describes the full file.
      fs.writeFileSync(path.join(dataDir, file), dataset === 'events' ? full.subarray(0, 1000) : full);
      return { file, ...facts(full) };
    });
    fs.writeFileSync(path.join(dataDir, 'manifests', `files_${DATE}.json`), JSON.stringify(entries));

    const result = await sb.dag(['run', 'streampro', '--date', DATE], { STREAMPRO_DATA_DIR: dataDir });
    expect(result.code, result.stderr).to.equal(1);
    const run = await sb.status('streampro', DATE);
    for (const dataset of ['users', 'videos', 'devices'] as const) {
      expect(task(run, `${dataset}.land`).state, dataset).to.equal('success');
    }
    const land = task(run, 'events.land');
    expect([land.state, land.tryNumber]).to.deep.equal(['failed', 1]);
    const cut = facts(fs.readFileSync(path.join(dataDir, landingFile('events', DATE))));
    const full = entries[3];
    expect(land.error).to.contain(
      `landing file ${landingFile('events', DATE)} does not match manifests/files_${DATE}.json: ` +
        `1000 bytes (manifest: ${full?.bytes}), sha256 ${cut.sha256} (manifest: ${full?.sha256}), ` +
        `${cut.lines} lines (manifest: ${full?.lines}); have the file delivered again (or its manifest corrected)`,
    );
    expect(task(run, 'events.raw').state).to.equal('upstream_failed');
    expect(fs.existsSync(sb.lakePath('landing/events')), 'landing/events').to.equal(false);
  });
});
