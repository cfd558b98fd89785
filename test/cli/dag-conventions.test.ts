import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { collect, REPO, Sandbox, TEST_STORE, withEngine } from './helpers.js';

const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO, 'packages/cli/package.json'), 'utf8')) as { version: string }
).version;

describe('dag CLI conventions: --version, a closed pipe, dag init (e2e)', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('dag --version prints the package version and exits 0', async () => {
    const r = await sb.dag('--version');
    expect(r.code).to.equal(0);
    expect(r.stdout.trim()).to.equal(VERSION);
  });

  it('a reader that closes the pipe early (dag … | head) ends dag quietly, exit 0, no stack', async () => {
    const child = sb.start('--help');
    // The read end goes away before dag writes: its writes fail with EPIPE.
    child.stdout!.destroy();
    const r = await collect(child);
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
  });

  for (const [args, message] of [
    [
      ['run', 'quick', '--date', '2025-01-01', '--forse'],
      'dag: Unknown argument: forse (--forse: did you mean --force?); see dag run --help',
    ],
    [
      ['backfill', 'quick', '--start', '2025-01-01', '--end', '2025-01-02', '--dry-rn'],
      'dag: Unknown argument: dry-rn (--dry-rn: did you mean --dry-run?); see dag backfill --help',
    ],
    [
      ['run', 'quick', '--dat', '2025-01-01'],
      'dag: Missing required argument: date (--dat was given: did you mean --date?); see dag run --help',
    ],
    [
      ['backfill', 'quick', '--start', '2025-01-01', '--end', '2025-01-02', '--max-active-runs', 'abc'],
      "dag: --max-active-runs needs a number, got 'abc'",
    ],
    [['runs', 'quick', '--limit=ten'], "dag: --limit needs a number, got 'ten'"],
  ] as const) {
    it(`dag ${args.join(' ')}: exit 2 and a line that names the fix`, async () => {
      const r = await sb.dag(...args);
      expect(r.code).to.equal(2);
      expect(r.stderr.trim()).to.equal(message);
    });
  }

  it('--profile names a profile (--env still works) and FORCE_COLOR colours output that is not a terminal', async () => {
    for (const flag of ['--profile', '--env']) {
      const r = await sb.dag('list', flag, 'nope');
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/^dag: unknown profile 'nope' \(no config\/nope\.json\)/);
    }
    expect((await sb.dag('run', 'quick', '--date', '2025-01-01')).code).to.equal(0);
    const saved = sb.env;
    const plain = await sb.dag('status', 'quick', '--date', '2025-01-01');
    sb.env = () => ({ ...saved.call(sb), FORCE_COLOR: '1' });
    const coloured = await sb.dag('status', 'quick', '--date', '2025-01-01');
    sb.env = () => ({ ...saved.call(sb), FORCE_COLOR: '1', NO_COLOR: '1' });
    const noColor = await sb.dag('status', 'quick', '--date', '2025-01-01');
    sb.env = saved;
    expect(plain.stderr + plain.stdout).to.not.include('\u001b[');
    expect(coloured.stderr + coloured.stdout).to.include('\u001b[');
    expect(noColor.stderr + noColor.stdout).to.not.include('\u001b[');
  });

  it('--quiet leaves out the live view, --verbose says where things are, STREAMPRO_LOG_LEVEL filters try logs', async () => {
    const quiet = await sb.dag('run', 'quick', '--date', '2025-01-01', '--quiet');
    expect(quiet.code, quiet.stderr).to.equal(0);
    expect(quiet.stderr).to.equal('');
    expect(quiet.stdout).to.include('quick 2025-01-01 (manual__2025-01-01): success');
    const verbose = await sb.dag('status', 'quick', '--date', '2025-01-01', '--verbose');
    expect(verbose.stderr).to.match(/^dag: \d+ DAG\(s\) from \d+ file\(s\) in .+, 1 broken$/m);
    // The state's location: the home's file, or the database (its URL without the password).
    const where = TEST_STORE === 'postgres' ? 'postgres://' : path.join(sb.home, 'state.db');
    expect(verbose.stderr).to.include(`dag: state in ${where}`);
    expect(verbose.stderr).to.include(
      '; tries run in local worker processes; try logs at level debug and above',
    );
    const saved = sb.env;
    sb.env = () => ({ ...saved.call(sb), STREAMPRO_LOG_LEVEL: 'warn' });
    const warnOnly = await sb.dag('run', 'quick', '--date', '2025-01-02', '--quiet');
    const bad = await sb.dag('list');
    sb.env = () => ({ ...saved.call(sb), STREAMPRO_LOG_LEVEL: 'loud' });
    const loud = await sb.dag('list');
    sb.env = saved;
    expect(warnOnly.code, warnOnly.stderr).to.equal(0);
    expect(bad.code).to.equal(0);
    const log = (date: string) =>
      fs.readFileSync(path.join(sb.home, `logs/dag_id=quick/run_id=manual__${date}/tries.log`), 'utf8');
    expect(log('2025-01-01')).to.include('"message":"extracting"');
    expect(log('2025-01-02')).to.not.include('"message":"extracting"');
    expect(loud.code).to.equal(2);
    expect(loud.stderr.trim()).to.equal(
      'dag: STREAMPRO_LOG_LEVEL must be one of error, warn, info, debug, got "loud"',
    );
  });

  it('dag run --strict refuses a DAG folder with a type error (file:line), and runs a clean one', async () => {
    // A project of its own: ES modules, the engine installed (linked to this repository's).
    fs.writeFileSync(path.join(sb.root, 'package.json'), '{ "type": "module" }\n');
    fs.mkdirSync(path.join(sb.root, 'node_modules/@streampro'), { recursive: true });
    fs.symlinkSync(path.join(REPO, 'packages/engine'), path.join(sb.root, 'node_modules/@streampro/engine'));
    const dags = path.join(sb.root, 'typed-dags');
    fs.mkdirSync(dags);
    sb.dagsFolder = dags;
    const good = [
      "import { defineDag } from '@streampro/engine';",
      "export const typed = defineDag({ id: 'typed', schedule: null, startDate: '2025-01-01' });",
      "typed.task({ id: 'only', run: () => 1 });",
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dags, 'typed.ts'), good);
    const ok = await sb.dag('run', 'typed', '--date', '2025-01-01', '--strict', '--quiet');
    expect(ok.code, ok.stderr).to.equal(0);
    fs.writeFileSync(
      path.join(dags, 'typed.ts'),
      good.replace('run: () => 1 });', "run: () => 1 });\nconst n: number = 'one';"),
    );
    const bad = await sb.dag('run', 'typed', '--date', '2025-01-02', '--strict');
    expect(bad.code).to.equal(2);
    const lines = bad.stderr.trim().split('\n');
    expect(lines[0]).to.match(/typed\.ts:4: Type 'string' is not assignable to type 'number'\. \(TS2322\)$/);
    expect(lines.at(-1)).to.equal(
      'dag: --strict: 1 type error(s) in the DAG files (above); fix them or run dag run without --strict',
    );
    expect(await withEngine(sb.home, (e) => e.listRuns('typed'))).to.have.length(1);
  });

  it('dag completion prints a shell completion script that completes command names', async () => {
    const script = await sb.dag('completion');
    expect(script.code).to.equal(0);
    expect(script.stdout).to.include('dag --get-yargs-completions');
    const words = await sb.dag('--get-yargs-completions', 'dag', '');
    expect(words.stdout.split('\n')).to.include.members(['run', 'backfill', 'pools', 'init', 'check']);
  });

  it('dag init scaffolds a project and never overwrites: a second run skips every file', async () => {
    const dir = path.join(sb.root, 'proj');
    const first = await sb.dag('init', dir, '--json');
    expect(first.code, first.stderr).to.equal(0);
    expect(JSON.parse(first.stdout)).to.deep.equal({
      dir,
      created: ['package.json', 'tsconfig.json', 'dags/example.ts', '.gitignore'],
      skipped: [],
    });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg).to.deep.include({ name: 'proj', type: 'module' });
    expect(pkg.dependencies).to.deep.equal({
      '@streampro/cli': `^${VERSION}`,
      '@streampro/engine': `^${VERSION}`,
    });
    const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { strict: boolean };
    };
    expect(tsconfig.compilerOptions.strict).to.equal(true);
    fs.writeFileSync(path.join(dir, 'dags/example.ts'), '// mine\n');
    const second = await sb.dag('init', dir);
    expect(second.code).to.equal(0);
    for (const f of ['package.json', 'tsconfig.json', 'dags/example.ts', '.gitignore']) {
      expect(second.stdout).to.include(`skipped ${path.join(dir, f)} (it exists)`);
    }
    expect(fs.readFileSync(path.join(dir, 'dags/example.ts'), 'utf8')).to.equal('// mine\n');
  });

  it('dag init onto a file: exit 2 and one line', async () => {
    fs.writeFileSync(path.join(sb.root, 'afile'), '');
    const r = await sb.dag('init', path.join(sb.root, 'afile'));
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.equal(
      `dag: ${path.join(sb.root, 'afile')} exists and is not a folder; give dag init a folder`,
    );
  });
});
