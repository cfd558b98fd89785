import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { json, REPO, type Result, Sandbox, TEST_STORE } from './helpers.js';

const DATE = '2025-09-09';

/** One line on stderr, no stack trace. */
function expectOneLine(r: Result, pattern: RegExp, label: string): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, `${label}: ${r.stderr}`).to.have.length(1);
  expect(lines[0], label).to.match(pattern);
  expect(r.stderr, label).to.not.match(/\n\s+at /);
}

describe('dag CLI: discovery, help and bad input (e2e)', function () {
  this.timeout(30_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it('--help loads no DAG file (the broken fixture leaves a marker when imported), list does', async () => {
    const [top, sub] = await Promise.all([sb.dag('--help'), sb.dag('run', '--help')]);
    expect(top.code).to.equal(0);
    expect(top.stdout).to.contain('dag backfill <dag>');
    expect(sub.code).to.equal(0);
    expect(sub.stdout).to.match(/--date +Logical date/);
    expect(sub.stdout).to.contain('--no-downstream');
    expect(fs.existsSync(sb.fx('broken-was-imported'))).to.equal(false);
    expect(fs.existsSync(sb.home)).to.equal(false);

    const list = await sb.dag('list');
    expect(list.code, list.stderr).to.equal(0);
    expect(fs.existsSync(sb.fx('broken-was-imported'))).to.equal(true);
    expect(list.stdout).to.match(/quick +│ none +│ 4 /);
    expect(list.stdout).to.match(/1 broken DAG file\(s\):\n {2}.*broken\.ts: Error: broken on purpose/);
  });

  it('list --json shows every DAG with its last run, and the broken file with its error', async () => {
    expect((await sb.dag('run', 'quick', '--date', DATE, '--no-downstream')).code).to.equal(0);
    const r = await sb.dag('list', '--json');
    expect(r.code).to.equal(0);
    const out = json<{
      dags: {
        dagId: string;
        schedule: string;
        tasks: number;
        lastRun: { logicalDate: string; state: string } | null;
      }[];
      broken: { path: string; error: string }[];
    }>(r);
    expect(out.dags.map((d) => d.dagId)).to.deep.equal([
      'consumer',
      'daily',
      'flaky',
      'needs_input',
      'quick',
      'slow',
    ]);
    const quick = out.dags.find((d) => d.dagId === 'quick');
    expect(quick).to.deep.include({
      schedule: 'none',
      tasks: 4,
      lastRun: { runId: 'manual__2025-09-09', logicalDate: DATE, state: 'success' },
    });
    expect(out.dags.find((d) => d.dagId === 'daily')).to.deep.include({ schedule: '@daily', lastRun: null });
    expect(out.broken).to.have.length(1);
    expect(path.basename(out.broken[0]!.path)).to.equal('broken.ts');
    expect(out.broken[0]!.error).to.equal('Error: broken on purpose');
  });

  it('prints the graph as text, mermaid and dot', async () => {
    const [text, mermaid, dot] = await Promise.all([
      sb.dag('graph', 'quick', '--format', 'text'),
      sb.dag('graph', 'quick', '--format', 'mermaid'),
      sb.dag('graph', 'quick', '--format', 'dot'),
    ]);
    expect(text.stdout).to.contain('DAG quick: 4 tasks in 3 layers');
    expect(text.stdout).to.contain('  [group clean]\n    clean.dedupe  <- extract');
    expect(mermaid.stdout.startsWith('flowchart TD\n')).to.equal(true);
    expect(mermaid.stdout).to.contain('subgraph g0["clean"]');
    expect(dot.stdout).to.contain('"clean.validate" -> "load";');
  });

  it('reports a DAG id defined in two files, naming both', async () => {
    const folder = path.join(sb.root, 'dup-dags');
    fs.mkdirSync(folder);
    const engineUrl = pathToFileURL(path.join(REPO, 'packages/engine/dist/bundle/index.js')).href;
    const file = `import { defineDag } from '${engineUrl}';\nexport default defineDag({ id: 'twin', startDate: '2025-01-01' });\n`;
    // Outside the repository, a package.json makes the .ts files ES modules (as in any real project).
    fs.writeFileSync(path.join(folder, 'package.json'), '{"type": "module"}');
    fs.writeFileSync(path.join(folder, 'a.ts'), file);
    fs.writeFileSync(path.join(folder, 'b.ts'), file);
    const r = await sb.dag('run', 'twin', '--date', DATE, '--dags-folder', folder);
    expect(r.code).to.equal(2);
    expectOneLine(
      r,
      /^dag: duplicate DAG id 'twin' defined in a\.ts and b\.ts; give each DAG a unique id$/,
      'duplicate',
    );
  });

  it('`status` of a date without a run exits 1 (JSON state null)', async () => {
    const r = await sb.dag('status', 'quick', '--date', DATE, '--json');
    expect(r.code).to.equal(1);
    expect(json(r)).to.deep.equal({ dagId: 'quick', logicalDate: DATE, state: null });
    expectOneLine(
      r,
      /^dag: no run of quick for 2025-09-09; start one with: dag run quick --date 2025-09-09$/,
      'status',
    );
  });

  it('rejects bad input with exit 2 and one line on stderr, changing nothing', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['run', 'nope', '--date', DATE],
        /^dag: unknown DAG 'nope'; known DAGs: consumer, daily, flaky, needs_input, quick, slow \(1 DAG file\(s\) failed to load: broken\.ts; see dag list\)$/,
      ],
      [
        ['run', 'quick', '--date', DATE, '--task', 'nope'],
        /^dag: unknown task 'nope' in DAG 'quick'; its tasks: extract, clean\.dedupe, clean\.validate, load$/,
      ],
      [['test', 'quick', 'nope', '--date', DATE], /^dag: unknown task 'nope' in DAG 'quick'/],
      [
        ['run', 'quick', '--date', '2025-02-30'],
        /^dag: invalid --date "2025-02-30": not a real calendar date$/,
      ],
      [['status', 'quick', '--date', 'yesterday'], /^dag: invalid --date "yesterday": expected YYYY-MM-DD/],
      [
        ['backfill', 'daily', '--start', '2025-01-10', '--end', '2025-01-01'],
        /^dag: --end 2025-01-01 is before --start 2025-01-10; swap them/,
      ],
      [
        ['backfill', 'daily', '--start', '2025-01-01', '--end', '2025-01-02', '--max-active-runs', '0'],
        /^dag: --max-active-runs must be a positive integer, got 0$/,
      ],
      [
        ['run', 'quick', '--date', DATE, '--param', 'nope=1'],
        /^dag: unknown param 'nope' for DAG 'quick'; known params: greeting, repeat$/,
      ],
      [
        ['run', 'quick', '--date', DATE, '--param', 'repeat=many'],
        /^dag: param 'repeat' of DAG 'quick' must be a number, got "many"$/,
      ],
      [
        ['run', 'quick', '--date', DATE, '--param', 'greeting'],
        /^dag: malformed --param "greeting": expected key=value/,
      ],
      [
        ['run', 'quick', '--date', DATE, '--dags-folder', 'missing-folder'],
        /^dag: DAGs folder .*missing-folder does not exist; pass --dags-folder <dir> or set STREAMPRO_DAGS_FOLDER$/,
      ],
      [['frobnicate'], /^dag: Unknown argument: frobnicate; see dag --help$/],
      [['run', 'quick', '--date', DATE, '--bogus'], /^dag: Unknown argument: bogus; see dag run --help$/],
      [['run', 'quick'], /^dag: Missing required argument: date; see dag run --help$/],
      [
        ['backfill', 'daily', '--start', '2025-01-01', '--end', '2025-01-02', '--reprocess', 'some'],
        /^dag: Invalid values: Argument: reprocess, Given: "some"/,
      ],
      [
        ['--env', 'staging', 'list'],
        /^dag: unknown profile 'staging' \(no config\/staging\.json\); available profiles: \(none\)$/,
      ],
      [['clear', 'quick', '--date', DATE, '--yes'], /^dag: DAG 'quick' has no run for 2025-09-09$/],
    ];
    const results = await Promise.all(cases.map(([args]) => sb.dag(...args)));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      const label = `dag ${args.join(' ')}`;
      expect(r.code, `${label}: ${r.stderr}`).to.equal(2);
      expectOneLine(r, pattern, label);
      expect(r.stdout, label).to.equal('');
    });
    // Nothing was run: no task wrote its file. (Only `clear` opens the state database, to look the run up.)
    expect(fs.existsSync(sb.fx('out'))).to.equal(false);
  });

  it('rejects a corrupt state database with exit 2, leaving the file as it was', async function () {
    if (TEST_STORE !== 'sqlite') this.skip(); // a SQLite file; the PostgreSQL store's errors: postgres-store.test.ts
    fs.mkdirSync(sb.home);
    fs.writeFileSync(path.join(sb.home, 'state.db'), 'not a database');
    const r = await sb.dag('status', 'quick', '--date', DATE);
    expect(r.code).to.equal(2);
    expectOneLine(r, /^dag: state database .*state\.db is corrupt or not a StreamPro database/, 'corrupt');
    expect(fs.readFileSync(path.join(sb.home, 'state.db'), 'utf8')).to.equal('not a database');
  });
});
