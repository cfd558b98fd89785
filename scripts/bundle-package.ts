/**
 * Bundles a package's compiled entry points (tsc's `dist/<entry>.js`) into `dist/bundle/`, so that Node
 * loads a handful of files instead of a hundred: module resolution and loading were most of every `dag`
 * start (docs/benchmarks.md, CLI start-up). Run from the package folder after `tsc`:
 *
 *   node --import tsx ../../scripts/bundle-package.ts [--with-dependencies] <entry> [<entry> ...]
 *
 * Entries are bundled together with code splitting, so a module used by two entries exists once (one copy
 * of the engine's classes per process, whichever entry loaded first). Chunks go to `dist/bundle/chunks/`.
 * Without `--with-dependencies` every package import stays an import (the engine and the operators leave
 * their dependencies to npm); with it, pure-JavaScript dependencies are inlined too (the CLI: yargs and its
 * tree were a third of its start), except the packages named in `ALWAYS_EXTERNAL`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/** Native addons, loaders and packages that must stay one shared copy (the engine the DAG files import). */
const ALWAYS_EXTERNAL = [
  '@streampro/*',
  'better-sqlite3',
  'esbuild',
  'tsx',
  'pg',
  'pg-native',
  'graphile-worker',
  '@duckdb/*',
  '@aws-sdk/*',
];

/**
 * Inlined packages read to use their own location harmlessly, and why; any other inlined use fails the build.
 */
const REVIEWED: Readonly<Record<string, string>> = {
  'yargs-parser': 'import.meta.url is only the base of a createRequire that loads absolute config paths',
  '@colors/colors': '__dirname appears only inside the text of a deprecation message',
};

interface PackageJson {
  readonly name?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** The bundled package's own dependencies: the only packages a bundle can resolve by name, whatever npm did. */
const DIRECT = new Set(
  Object.keys((JSON.parse(fs.readFileSync('package.json', 'utf8')) as PackageJson).dependencies ?? {}),
);

/** The folder and package.json of the package that holds `file`. */
function owningPackage(file: string): { root: string; pkg: PackageJson } | undefined {
  for (let dir = path.dirname(file); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (!fs.existsSync(candidate)) continue;
    const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as PackageJson;
    if (pkg.name) return { root: dir, pkg };
  }
  return undefined;
}

/**
 * A dependency that reads files beside its own module (yargs finds its locales from `import.meta.url`) would
 * look next to the bundle instead. Its `import.meta.url` is rewritten to the URL of the installed original,
 * found at run time from where the package's main entry resolves (`require.resolve` from the bundle), so it holds
 * wherever npm put the package. Only a direct dependency can be resolved by name from the bundle.
 */
const keepOwnLocation: Plugin = {
  name: 'keep-own-location',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const owner = owningPackage(args.path);
      if (!owner?.pkg.name) throw new Error(`${args.path} uses import.meta.url outside a named package`);
      if (REVIEWED[owner.pkg.name]) return undefined;
      if (!DIRECT.has(owner.pkg.name)) {
        throw new Error(`${args.path} uses import.meta.url: make ${owner.pkg.name} external or review it`);
      }
      // As `require.resolve` finds it at run time (the require conditions).
      const entry = await b.resolve(owner.pkg.name, {
        kind: 'require-call',
        resolveDir: path.dirname(owner.root),
      });
      if (entry.errors.length > 0 || !entry.path) {
        throw new Error(
          `${args.path} uses import.meta.url and ${owner.pkg.name} has no main entry to find it from`,
        );
      }
      const relative = path.relative(path.dirname(entry.path), args.path).split(path.sep).join('/');
      const url = `new URL(${JSON.stringify(relative)}, __bundleUrl(__bundleRequire(import.meta.url).resolve(${JSON.stringify(owner.pkg.name)}))).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'js' };
    });
  },
};

/**
 * Inlined CommonJS code that finds files through `__dirname`/`__filename` would find the bundle's folder (or
 * nothing, in an ES module): such a package must be added to `ALWAYS_EXTERNAL`, so the build fails naming it.
 */
function checkNoOwnPaths(inputs: readonly string[]): void {
  const located = inputs.filter((f) => {
    if (!/node_modules/.test(f)) return false;
    const name = owningPackage(f)?.pkg.name;
    if (name && REVIEWED[name]) return false;
    const source = fs.readFileSync(f, 'utf8');
    // An ES module that declares its own `__dirname` (from import.meta.url) is handled by keepOwnLocation.
    return (
      /\b__(dirname|filename)\b/.test(source) && !/\b(const|let|var)\s+__(dirname|filename)\b/.test(source)
    );
  });
  if (located.length > 0) {
    throw new Error(
      `inlined files use __dirname/__filename (make their packages external): ${located.join(', ')}`,
    );
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const withDependencies = argv.includes('--with-dependencies');
  const entries = argv.filter((a) => !a.startsWith('--'));
  if (entries.length === 0) throw new Error('name at least one entry point (e.g. index)');
  const outdir = path.resolve('dist', 'bundle');
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    metafile: true,
    entryPoints: Object.fromEntries(entries.map((e) => [e, path.resolve('dist', `${e}.js`)])),
    outdir,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // tsc's maps are read as input, so stack traces still name the .ts sources.
    sourcemap: true,
    logLevel: 'warning',
    ...(withDependencies
      ? {
          external: ALWAYS_EXTERNAL,
          plugins: [keepOwnLocation],
          // Inlined CommonJS dependencies call require() for Node's built-in modules.
          banner: {
            js: "import { createRequire as __bundleRequire } from 'node:module'; import { pathToFileURL as __bundleUrl } from 'node:url'; const require = __bundleRequire(import.meta.url);",
          },
        }
      : { packages: 'external' as const }),
  });
  checkNoOwnPaths(Object.keys(result.metafile.inputs).map((f) => path.resolve(f)));
}

await main(process.argv.slice(2));
