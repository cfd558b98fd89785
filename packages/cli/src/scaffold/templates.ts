/** The files `dag init` writes into a new project, by path relative to the project folder. */
export interface ScaffoldFile {
  readonly path: string;
  readonly text: string;
}

/** Versions the scaffold asks for: this CLI's (the engine shares it) and the TypeScript it type-checks with. */
export interface ScaffoldVersions {
  readonly streampro: string;
  readonly typescript: string;
}

export function scaffoldFiles(name: string, v: ScaffoldVersions): ScaffoldFile[] {
  const packageJson = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { check: 'dag check', dag: 'dag' },
    dependencies: { '@streampro/cli': `^${v.streampro}`, '@streampro/engine': `^${v.streampro}` },
    devDependencies: { '@types/node': '^20.19.0', typescript: `^${v.typescript}` },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'es2023',
      lib: ['es2023'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
    },
    include: ['dags'],
  };
  return [
    { path: 'package.json', text: `${JSON.stringify(packageJson, null, 2)}\n` },
    { path: 'tsconfig.json', text: `${JSON.stringify(tsconfig, null, 2)}\n` },
    { path: 'dags/example.ts', text: EXAMPLE_DAG },
    { path: '.gitignore', text: 'node_modules/\n# runs, logs and the local lake of `dag`\n.streampro/\n' },
  ];
}

const EXAMPLE_DAG = `import { defineDag } from '@streampro/engine';

/**
 * A daily example: extract -> clean.scale (inside a task group) -> report. Run one day with
 *   npx dag run example --date 2025-01-02
 * and look at it with \`npx dag status example --date 2025-01-02\` or \`npx dag logs example --date 2025-01-02\`.
 */
export const example = defineDag({
  id: 'example',
  schedule: '@daily',
  startDate: '2025-01-01',
  // Override with --param multiplier=3.
  params: { multiplier: { default: 2 } },
  // Every task retries twice, one second apart, unless it says otherwise.
  defaultTaskOptions: { retries: 2, retryDelay: 1_000 },
});

const extract = example.task({
  id: 'extract',
  run: (ctx) => ({ day: ctx.ds, values: [1, 2, 3] }),
});

// Tasks of a group get ids prefixed with the group's: this one is clean.scale.
const clean = example.group('clean');
const scale = clean.task({
  id: 'scale',
  upstream: [extract],
  run: (ctx) => {
    // Typed from extract's return value: { day: string; values: number[] }.
    const { values } = ctx.upstream(extract);
    return values.map((value) => value * ctx.params.multiplier);
  },
});

example.task({
  id: 'report',
  upstream: [scale],
  retries: 0,
  run: (ctx) => {
    const total = ctx.upstream(scale).reduce((sum, value) => sum + value, 0);
    ctx.log.info('total computed', { total });
    // A string \`summary\` is printed after a successful \`dag run\`.
    return { summary: \`total for \${ctx.ds}: \${total}\` };
  },
});
`;
