import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { listDagFiles, loadDags, registryOf } from '../../src/discovery/load-dags.js';

// Temp DAG files live outside the repository, so they import the engine by its absolute URL.
const ENGINE_URL = import.meta.resolve('@streampro/engine');

function dagFile(id: string, extra = ''): string {
  return `import { defineDag } from '${ENGINE_URL}';\n${extra}\nexport const d = defineDag({ id: '${id}', startDate: '2025-01-01' });\nd.task({ id: 't', run: () => 1 });\n`;
}

describe('loadDags', () => {
  let folder: string;
  let cacheDir: string;
  // Every load goes through the cache of bundled files, as the CLI's do.
  const load = (options: { fresh?: boolean } = {}) => loadDags(folder, { ...options, cacheDir });
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-discovery-'));
    fs.mkdirSync(path.join(folder, 'lib'));
    fs.writeFileSync(path.join(folder, 'package.json'), '{ "type": "module" }\n');
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-discovery-cache-'));
  });
  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('scans top-level .ts/.mts/.js files only, not subfolders or declaration files', () => {
    for (const f of ['a.ts', 'b.mts', 'c.js', 'd.d.ts', 'notes.md', 'lib/helper.ts']) {
      fs.writeFileSync(path.join(folder, f), '');
    }
    expect(listDagFiles(folder).map((f) => path.basename(f))).to.deep.equal(['a.ts', 'b.mts', 'c.js']);
  });

  it('loads TypeScript DAG files (default and named exports, counted once) and support code from lib/', async () => {
    fs.writeFileSync(path.join(folder, 'lib', 'ids.ts'), 'export const suffix: string = "_x";\n');
    fs.writeFileSync(
      path.join(folder, 'one.ts'),
      `import { suffix } from './lib/ids.js';\nimport { defineDag } from '${ENGINE_URL}';\nconst d = defineDag({ id: 'one' + suffix, startDate: '2025-01-01' });\nexport default d;\nexport { d };\n`,
    );
    fs.writeFileSync(path.join(folder, 'two.mts'), dagFile('two'));
    const loaded = await load();
    expect([...loaded.dags.keys()].sort()).to.deep.equal(['one_x', 'two']);
    expect(loaded.broken).to.deep.equal([]);
    expect(registryOf(loaded).get('two')?.id).to.equal('two');
  });

  it('reports a file that throws, a file with a syntax error and a file without DAGs; others keep working', async () => {
    fs.writeFileSync(path.join(folder, 'good.ts'), dagFile('good'));
    fs.writeFileSync(path.join(folder, 'throws.ts'), 'throw new Error("boom at import");\n');
    fs.writeFileSync(path.join(folder, 'syntax.ts'), 'export const = ;\n');
    fs.writeFileSync(path.join(folder, 'empty.ts'), 'export const x = 1;\n');
    const loaded = await load();
    expect([...loaded.dags.keys()]).to.deep.equal(['good']);
    const byFile = Object.fromEntries(loaded.broken.map((b) => [path.basename(b.path), b.error]));
    expect(Object.keys(byFile).sort()).to.deep.equal(['empty.ts', 'syntax.ts', 'throws.ts']);
    expect(byFile['throws.ts']).to.equal('Error: boom at import');
    expect(byFile['empty.ts']).to.match(/exports no DAG/);
    expect(byFile['syntax.ts']).to.match(/syntax\.ts/);
  });

  it('a fresh load picks up an edit of the DAG file and of a local file it imports', async () => {
    fs.writeFileSync(path.join(folder, 'lib', 'ids.ts'), 'export const suffix: string = "_1";\n');
    const entry = path.join(folder, 'one.ts');
    const source = (id: string) =>
      `import { suffix } from './lib/ids.js';\nimport { defineDag } from '${ENGINE_URL}';\nexport const d = defineDag({ id: '${id}' + suffix, startDate: '2025-01-01' });\n`;
    fs.writeFileSync(entry, source('a'));
    expect([...(await load()).dags.keys()]).to.deep.equal(['a_1']);
    fs.writeFileSync(entry, source('b'));
    fs.writeFileSync(path.join(folder, 'lib', 'ids.ts'), 'export const suffix: string = "_2";\n');
    // A distinct modification time, as a scheduler that saw the folder change would see it.
    fs.utimesSync(entry, new Date(), new Date(Date.now() + 5000));
    expect([...(await load({ fresh: true })).dags.keys()]).to.deep.equal(['b_2']);
  });

  it('reports a DAG id defined in two files, naming both, and leaves the id out', async () => {
    fs.writeFileSync(path.join(folder, 'first.ts'), dagFile('same'));
    fs.writeFileSync(path.join(folder, 'second.ts'), dagFile('same'));
    const loaded = await load();
    expect(loaded.dags.has('same')).to.equal(false);
    expect(loaded.broken.map((b) => b.error)).to.deep.equal([
      "duplicate DAG id 'same' defined in first.ts and second.ts",
      "duplicate DAG id 'same' defined in first.ts and second.ts",
    ]);
  });

  it('reports a DAG definition error (a cycle or bad id) as a broken file', async () => {
    fs.writeFileSync(
      path.join(folder, 'badid.ts'),
      `import { defineDag } from '${ENGINE_URL}';\nexport const d = defineDag({ id: 'bad id', startDate: '2025-01-01' });\n`,
    );
    const loaded = await load();
    expect(loaded.broken[0]?.error).to.match(/^DagDefinitionError: invalid DAG id "bad id"/);
  });
});
