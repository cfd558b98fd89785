import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parseCliArgs, run, UsageError } from '../../scripts/generate/cli.js';

const CLI = fileURLToPath(new URL('../../scripts/generate/cli.ts', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../data', import.meta.url));

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (name.includes('.')) out[name] = readFileSync(join(dir, name), 'utf8');
  }
  return out;
}

describe('generate CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'streampro-generate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes byte-identical files for the same arguments, different ones for another seed', () => {
    const args = ['--start', '2025-09-09', '--end', '2025-09-10', '--users', '30'];
    run([...args, '--out', join(dir, 'a')]);
    run([...args, '--out', join(dir, 'b')]);
    run([...args, '--seed', 'other', '--out', join(dir, 'c')]);
    const a = listing(join(dir, 'a'));
    expect(Object.keys(a)).to.include.members([
      'users_2025-09-10.csv',
      'videos_2025-09-10.csv',
      'devices_2025-09-10.csv',
      'events_2025-09-10.jsonl',
      join('manifests', 'dirt_2025-09-10.json'),
    ]);
    expect(listing(join(dir, 'b'))).to.deep.equal(a);
    expect(listing(join(dir, 'c'))['events_2025-09-09.jsonl']).to.not.equal(a['events_2025-09-09.jsonl']);
  });

  const rejects: [string[], string][] = [
    [['--end', '2025-09-10'], '--start is required (YYYY-MM-DD)'],
    [
      ['--start', '2025-9-9', '--end', '2025-09-10'],
      '--start must be a real date as YYYY-MM-DD, got "2025-9-9"',
    ],
    [
      ['--start', '2025-02-30', '--end', '2025-03-01'],
      '--start must be a real date as YYYY-MM-DD, got "2025-02-30"',
    ],
    [['--start', '2025-09-10', '--end', '2025-09-09'], '--end 2025-09-09 is before --start 2025-09-10'],
    [
      ['--start', '2025-09-09', '--end', '2025-09-09', '--users', '0'],
      '--users must be an integer from 1 to 100000, got "0"',
    ],
    [
      ['--start', '2025-09-09', '--end', '2025-09-09', '--users', '1.5'],
      '--users must be an integer from 1 to 100000, got "1.5"',
    ],
    [['--start', '2024-01-01', '--end', '2025-09-09'], 'at most 366 days per run'],
  ];
  for (const [argv, message] of rejects) {
    it(`rejects ${argv.join(' ')}`, () => {
      expect(() => parseCliArgs(argv)).to.throw(UsageError, message);
    });
  }

  it('rejects unknown options with a UsageError', () => {
    expect(() => parseCliArgs(['--start', '2025-09-09', '--end', '2025-09-09', '--days', '3'])).to.throw(
      UsageError,
      "Unknown option '--days'",
    );
  });

  it('--help prints the options on stdout and exits 0', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, '--help'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^usage: npm run generate -- --start YYYY-MM-DD --end YYYY-MM-DD --out DIR/);
    expect(r.stdout).to.include('--force');
  });

  it("needs --out, and refuses the repository's committed data/ folder without --force", () => {
    const days = ['--start', '2025-09-09', '--end', '2025-09-09'];
    expect(() => parseCliArgs(days)).to.throw(UsageError, '--out DIR is required');
    expect(() => parseCliArgs([...days, '--out', SAMPLE])).to.throw(
      UsageError,
      `--out ${SAMPLE} is the repository's committed sample; add --force to overwrite it, or write elsewhere`,
    );
    expect(() => parseCliArgs([...days, '--out', join(SAMPLE, '.')])).to.throw(UsageError, 'add --force');
    expect(parseCliArgs([...days, '--out', SAMPLE, '--force']).out).to.equal(SAMPLE);
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...days, '--out', SAMPLE], {
      encoding: 'utf8',
    });
    expect(r.status).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
  });
});
