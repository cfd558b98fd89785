import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { collect, REPO, Sandbox } from './helpers.js';

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
