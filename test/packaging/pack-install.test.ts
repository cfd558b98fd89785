import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = (pkg: string): string =>
  (
    JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The packages as a user gets them: `npm pack` of the engine and the CLI, installed into a fresh
 * `npm init -y` project in a temp folder (npm 11 makes it CommonJS), then the commands of the README's
 * "Use StreamPro in your own project". Installs from the npm registry (the cache first); better-sqlite3
 * builds from source, so this takes a minute or two.
 */
describe('packaging: npm pack, install into a new project, init, check, run', function () {
  this.timeout(600_000);
  let root: string;
  let project: string;
  const run = (cmd: string, args: readonly string[]): Ran => {
    const r = spawnSync(cmd, args, {
      cwd: project,
      encoding: 'utf8',
      env: userEnv(),
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const dag = (...args: string[]): Ran => run(path.join(project, 'node_modules/.bin/dag'), args);

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'streampro-pack-'));
    project = path.join(root, 'my-dags');
    fs.mkdirSync(project);
    const tarballs = ['engine', 'cli'].map((p) => {
      const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', root], {
        cwd: path.join(REPO, 'packages', p),
        encoding: 'utf8',
      });
      return path.join(root, out.trim().split('\n').pop()!);
    });
    expect(run('npm', ['init', '-y']).code).to.equal(0);
    const started = Date.now();
    const install = run('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...tarballs,
      `typescript@${version('typescript')}`,
      `@types/node@${version('@types/node')}`,
    ]);
    expect(install.code, install.stderr).to.equal(0);
    console.log(
      `      (npm install of the packed engine and CLI: ${((Date.now() - started) / 1000).toFixed(0)} s)`,
    );
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('ships what it needs and nothing of the operators (no DuckDB, no AWS SDK)', () => {
    const modules = path.join(project, 'node_modules');
    expect(fs.existsSync(path.join(modules, '@streampro/engine/dist/bundle/index.js'))).to.equal(true);
    expect(fs.existsSync(path.join(modules, '@streampro/engine/src/index.ts'))).to.equal(true);
    expect(fs.existsSync(path.join(modules, '@streampro/engine/LICENSE'))).to.equal(true);
    expect(fs.existsSync(path.join(modules, '@streampro/operators'))).to.equal(false);
    expect(fs.existsSync(path.join(modules, '@duckdb'))).to.equal(false);
    expect(fs.existsSync(path.join(modules, '@aws-sdk'))).to.equal(false);
    const r = dag('--version');
    expect(r.code).to.equal(0);
    expect(r.stdout.trim()).to.equal(version('@streampro/cli'));
  });

  it('dag init scaffolds beside the existing package.json, which it does not touch', () => {
    const before = fs.readFileSync(path.join(project, 'package.json'), 'utf8');
    const r = dag('init');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('created tsconfig.json');
    expect(r.stdout).to.include('created dags/example.ts');
    expect(r.stdout).to.include('skipped package.json (it exists)');
    expect(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).to.equal(before);
  });

  it('the CommonJS project npm init made gets one line saying what is wrong and how to fix it', () => {
    const r = dag('run', 'example', '--date', '2025-01-02');
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.deep.equal([
      `dag: this project is CommonJS (${path.join(project, 'package.json')} has "type": "commonjs") but DAG files are ES modules: set "type": "module" in package.json (npm pkg set type=module), or name the file .mts`,
    ]);
  });

  it('with "type": "module": dag check passes, fails on an injected type error with file:line, dag run works', () => {
    expect(run('npm', ['pkg', 'set', 'type=module']).code).to.equal(0);
    const ok = dag('check');
    expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(
      /^ok: 1 DAG file\(s\), 1 DAG\(s\), type-checked with TypeScript [\d.]+ \(the project's\)/,
    );
    const file = path.join(project, 'dags/example.ts');
    const source = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      source.replace(
        'run: (ctx) => ({ day: ctx.ds, values: [1, 2, 3] }),',
        "run: (ctx) => ({ day: ctx.ds, values: ['1', 2, 3] }),",
      ),
    );
    const bad = dag('check');
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/^dags\/example\.ts:\d+: .+ \(TS\d+\)$/m);
    fs.writeFileSync(file, source);
    const ran = dag('run', 'example', '--date', '2025-01-02');
    expect(ran.code, ran.stderr).to.equal(0);
    expect(ran.stdout).to.include('example 2025-01-02 (manual__2025-01-02): success');
    expect(ran.stdout).to.include('total for 2025-01-02: 12');
    expect(fs.existsSync(path.join(project, '.streampro/state.db'))).to.equal(true);
  });
});

/** This environment without the settings of the repository's own runs (a user's shell has none of them). */
function userEnv(): NodeJS.ProcessEnv {
  // As the repository's .npmrc: native addons build from source, nothing is fetched beside npm packages.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_build_from_source: 'true' };
  for (const name of Object.keys(env)) if (name.startsWith('STREAMPRO_')) delete env[name];
  return env;
}
