import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { compiledDagFile } from '../../src/discovery/dag-cache.js';
import { importDagModule } from '../../src/discovery/import-dag.js';

// Temp DAG files live outside the repository, so they import the engine by its absolute URL.
const ENGINE_URL = import.meta.resolve('@streampro/engine');

describe('compiledDagFile', () => {
  let folder: string;
  let cacheDir: string;
  const write = (rel: string, text: string): string => {
    const file = path.join(folder, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cache-src-'));
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cache-'));
    write('package.json', '{ "type": "module" }\n');
  });
  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('bundles the DAG file and its local imports into the cache once, then reuses the output', async () => {
    write('lib/ids.ts', 'export const suffix: string = "_x";\n');
    const entry = write(
      'one.ts',
      `import { suffix } from './lib/ids.js';\nimport { defineDag } from '${ENGINE_URL}';\nexport const d = defineDag({ id: 'one' + suffix, startDate: '2025-01-01' });\n`,
    );
    const first = await compiledDagFile(entry, cacheDir);
    expect(first.startsWith(cacheDir + path.sep)).to.equal(true);
    expect(path.basename(first)).to.equal('one.mjs');
    const code = fs.readFileSync(first, 'utf8');
    expect(code).to.include('"_x"');
    expect(code).not.to.match(/import .* from ["']\.\/lib/);
    const builtAt = fs.statSync(first).mtimeMs;
    expect(await compiledDagFile(entry, cacheDir)).to.equal(first);
    expect(fs.statSync(first).mtimeMs).to.equal(builtAt);
    const mod = (await import(new URL(`file://${first}`).href)) as { d: { id: string } };
    expect(mod.d.id).to.equal('one_x');
    // Nothing is written next to the sources.
    expect(fs.readdirSync(folder).sort()).to.deep.equal(['lib', 'one.ts', 'package.json']);
  });

  it('builds a new output when a file the DAG imports changes, and the new code is what loads', async () => {
    write('lib/value.ts', 'export const value = 1;\n');
    const entry = write(
      'v.ts',
      "import { value } from './lib/value.js';\nexport const read = () => value;\n",
    );
    const before = await compiledDagFile(entry, cacheDir);
    write('lib/value.ts', 'export const value = 2;\n');
    const after = await compiledDagFile(entry, cacheDir);
    expect(after).not.to.equal(before);
    const mod = (await importDagModule(entry, { cacheDir })) as { read: () => number };
    expect(mod.read()).to.equal(2);
  });

  it('keeps import.meta.url of each local file, so files next to it are found', async () => {
    write('lib/data/rows.txt', 'a,b\n');
    write(
      'lib/rows.ts',
      "import fs from 'node:fs';\nexport const rows = () => fs.readFileSync(new URL('./data/rows.txt', import.meta.url), 'utf8');\nexport const here = import.meta.dirname;\n",
    );
    const entry = write('r.ts', "export { here, rows } from './lib/rows.js';\n");
    const mod = (await importDagModule(entry, { cacheDir })) as { rows: () => string; here: string };
    expect(mod.rows()).to.equal('a,b\n');
    expect(mod.here).to.equal(path.join(folder, 'lib'));
  });

  it('names the .ts source and line in the stack of an error thrown by bundled code', async () => {
    write(
      'lib/boom.ts',
      'type N = number;\nexport function boom(n: N): never {\n  throw new Error("boom " + String(n));\n}\n',
    );
    const entry = write(
      'b.ts',
      "import { boom } from './lib/boom.js';\nexport const fail = () => boom(1);\n",
    );
    const mod = (await importDagModule(entry, { cacheDir })) as { fail: () => void };
    let stack = '';
    try {
      mod.fail();
    } catch (error) {
      stack = (error as Error).stack ?? '';
    }
    expect(stack).to.include(`${path.join(folder, 'lib', 'boom.ts')}:3:`);
    expect(stack).to.include(`${path.join(folder, 'b.ts')}:2:`);
  });

  it('refuses a file that uses import.meta.resolve; importDagModule then loads it through tsx', async () => {
    write('lib/where.ts', "export const where = import.meta.resolve('./where.ts');\n");
    const entry = write('w.ts', "export { where } from './lib/where.js';\n");
    let refused: unknown;
    await compiledDagFile(entry, cacheDir).catch((e: unknown) => {
      refused = e;
    });
    expect(refused).to.be.instanceOf(Error);
    expect((refused as Error).message).to.match(/where\.ts uses import\.meta\.resolve/);
    const mod = (await importDagModule(entry, { cacheDir })) as { where: string };
    expect(mod.where).to.equal(`file://${path.join(folder, 'lib', 'where.ts')}`);
  });

  it('gives every one of several concurrent builds of the same file the same whole output', async () => {
    write('lib/n.ts', 'export const n = 42;\n');
    const entry = write('c.ts', "export { n } from './lib/n.js';\n");
    const outputs = await Promise.all([1, 2, 3, 4].map(() => compiledDagFile(entry, cacheDir)));
    expect(new Set(outputs).size).to.equal(1);
    const dirs = fs.readdirSync(cacheDir).filter((d) => d !== 'entries');
    expect(dirs).to.have.length(1);
    expect(fs.readdirSync(path.join(cacheDir, dirs[0]!)).sort()).to.deep.equal(['c.mjs', 'c.mjs.map']);
  });
});
