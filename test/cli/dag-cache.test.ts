import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Sandbox } from './helpers.js';

// The project lives in the sandbox, outside the repository, so it imports the engine by its absolute URL.
const ENGINE_URL = import.meta.resolve('@streampro/engine');

/** A DAG whose number of tasks comes from a local file, and whose `fail` task throws from another. */
const DAG = `import fs from 'node:fs';
import path from 'node:path';
import { defineDag } from '${ENGINE_URL}';
import { TASKS } from './lib/shape.js';
import { explode } from './lib/explode.js';

export const cached = defineDag({ id: 'cached', startDate: '2025-01-01', defaultTaskOptions: { retries: 0 } });
for (let i = 1; i < TASKS; i++) cached.task({ id: \`t\${i}\`, run: () => i });
cached.task({
  id: 'fail',
  run: () => {
    // Without source maps a stack names the file really running: the bundle, or the .ts through tsx.
    process.setSourceMapsEnabled(false);
    const frame = new Error('where').stack?.split('\\n')[1] ?? '';
    process.setSourceMapsEnabled(true);
    fs.writeFileSync(path.join(process.env.FIXTURE_DIR ?? '.', 'frame.txt'), frame);
    explode('on purpose');
  },
});
`;

const EXPLODE = `type Reason = string;
export function explode(reason: Reason): never {
  throw new Error(\`exploded \${reason}\`);
}
`;

describe('dag CLI: the cache of bundled DAG files (e2e)', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  let dags: string;
  const cacheOutputs = (): string[] =>
    fs
      .readdirSync(path.join(sb.home, 'cache', 'dags'))
      .filter((d) => d !== 'entries')
      .sort();
  beforeEach(() => {
    sb = new Sandbox();
    const project = path.join(sb.root, 'project');
    dags = path.join(project, 'dags');
    fs.mkdirSync(path.join(dags, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(path.join(dags, 'cached.ts'), DAG);
    fs.writeFileSync(path.join(dags, 'lib', 'shape.ts'), 'export const TASKS: number = 3;\n');
    fs.writeFileSync(path.join(dags, 'lib', 'explode.ts'), EXPLODE);
    sb.dagsFolder = dags;
  });
  afterEach(() => sb.cleanup());

  it('builds the cache under the home on the first list, reuses it, and rebuilds when a local import changes', async () => {
    const first = await sb.dag('list', '--json');
    expect(first.code, first.stderr).to.equal(0);
    expect(JSON.parse(first.stdout).dags[0].tasks).to.equal(3);
    const outputs = cacheOutputs();
    expect(outputs).to.have.length(1);
    expect(fs.readdirSync(path.join(sb.home, 'cache', 'dags', outputs[0]!)).sort()).to.deep.equal([
      'cached.mjs',
      'cached.mjs.map',
    ]);
    expect(fs.readdirSync(dags).sort()).to.deep.equal(['cached.ts', 'lib']);

    expect((await sb.dag('list')).code).to.equal(0);
    expect(cacheOutputs()).to.deep.equal(outputs);

    fs.writeFileSync(path.join(dags, 'lib', 'shape.ts'), 'export const TASKS: number = 5;\n');
    const edited = await sb.dag('list', '--json');
    expect(edited.code, edited.stderr).to.equal(0);
    expect(JSON.parse(edited.stdout).dags[0].tasks).to.equal(5);
    expect(cacheOutputs()).to.have.length(2);
  });

  it('worker processes import the bundle, and a task error names the .ts file and line', async () => {
    const run = await sb.dag('run', 'cached', '--date', '2025-01-02');
    expect(run.code, run.stderr).to.equal(1);
    const frame = fs.readFileSync(sb.fx('frame.txt'), 'utf8');
    expect(frame).to.include(path.join(sb.home, 'cache', 'dags'));
    expect(frame).to.match(/cached\.mjs:\d+/);
    const logs = await sb.dag('logs', 'cached', '--date', '2025-01-02', '--task', 'fail');
    expect(logs.code, logs.stderr).to.equal(0);
    expect(logs.stdout).to.contain('Error: exploded on purpose');
    expect(logs.stdout).to.contain(`${path.join(dags, 'lib', 'explode.ts')}:3:`);
    expect(logs.stdout).to.contain(`${path.join(dags, 'cached.ts')}:`);
  });

  it('reports a DAG file that cannot be bundled (a missing import) with the error tsx gives, naming the file', async () => {
    fs.writeFileSync(
      path.join(dags, 'lonely.ts'),
      "import { x } from './lib/missing.js';\nexport const y = x;\n",
    );
    const r = await sb.dag('list', '--json');
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as {
      dags: { dagId: string }[];
      broken: { path: string; error: string }[];
    };
    expect(out.dags.map((d) => d.dagId)).to.deep.equal(['cached']);
    expect(out.broken).to.have.length(1);
    expect(out.broken[0]!.path).to.match(/lonely\.ts$/);
    expect(out.broken[0]!.error).to.match(/Cannot find module .*missing/);
  });
});
