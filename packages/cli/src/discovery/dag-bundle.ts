/**
 * Bundles a TypeScript DAG file and the local files it imports into one ES module, so later loads import
 * plain JavaScript instead of going through the tsx loader. Packages stay outside the bundle, imported by
 * the absolute file URL Node would resolve from the DAG's folder, so the bundle can live anywhere.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Loader, Plugin } from 'esbuild';

/** A file the bundle was built from, with the hash of the content esbuild was given. */
export interface BundleInput {
  readonly path: string;
  readonly sha256: string;
}

export interface DagBundle {
  readonly code: string;
  readonly map: string;
  /** Every local file read, plus the package.json and tsconfig.json files that steer resolution. */
  readonly inputs: readonly BundleInput[];
}

const LOADERS: Readonly<Record<string, Loader>> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
};

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Builds the bundle of `entry` in memory; `outFile` is where it will be written (source map paths are
 * relative to it). Throws when esbuild fails or warns, or when a file needs its own location at run time in a
 * way the bundle cannot keep (`import.meta.resolve`): the caller then loads the file through tsx.
 */
export async function bundleDag(entry: string, outFile: string): Promise<DagBundle> {
  const { build } = await import('esbuild');
  const inputs = new Map<string, string>();
  const result = await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    // Node's own resolution: no `module` condition, no `module` main field.
    conditions: [],
    mainFields: ['main'],
    sourcemap: 'linked',
    sourcesContent: false,
    keepNames: true,
    logLevel: 'silent',
    plugins: [localFilesPlugin(inputs)],
  });
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warned: ${result.warnings.map((w) => w.text).join('; ')}`);
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!code || !map) throw new Error('esbuild wrote no bundle');
  for (const file of resolutionFiles([...inputs.keys()])) {
    const content = fs.readFileSync(file);
    inputs.set(file, sha256(content));
  }
  return {
    code: code.text,
    map: map.text,
    inputs: [...inputs]
      .map(([p, h]) => ({ path: p, sha256: h }))
      .sort((a, b) => a.path.localeCompare(b.path)),
  };
}

function localFilesPlugin(inputs: Map<string, string>): Plugin {
  return {
    name: 'streampro-dag-files',
    setup(b) {
      // Bare specifiers: a package is left external, by the URL of the file Node would load.
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (isBuiltin(args.path) || args.pluginData === 'inner') return undefined;
        if (/^[a-z][a-z0-9+.-]*:/i.test(args.path)) return { path: args.path, external: true };
        const r = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'inner',
        });
        if (r.errors.length > 0) return { errors: r.errors };
        if (r.external) return r;
        // A path alias to local TypeScript would need the loader at run time.
        if (!isInPackage(r.path) && /\.[cm]?tsx?$/.test(r.path)) {
          throw new Error(`${args.path} resolves to local TypeScript (${r.path}) through a path alias`);
        }
        inputs.set(...packageJsonOf(r.path));
        return { path: pathToFileURL(r.path).href, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
        const loader = LOADERS[path.extname(args.path)];
        if (!loader) throw new Error(`cannot bundle ${args.path} (unknown file type)`);
        const bytes = fs.readFileSync(args.path);
        inputs.set(args.path, sha256(bytes));
        return { contents: keepLocation(bytes.toString('utf8'), args.path), loader };
      });
    },
  };
}

function isInPackage(file: string): boolean {
  return file.split(path.sep).includes('node_modules');
}

/** The package.json of the package holding `file`: a new version of the package changes its hash. */
function packageJsonOf(file: string): [string, string] {
  for (let d = path.dirname(file); path.dirname(d) !== d; d = path.dirname(d)) {
    const candidate = path.join(d, 'package.json');
    if (fs.existsSync(candidate)) return [candidate, sha256(fs.readFileSync(candidate))];
  }
  return [file, sha256(fs.readFileSync(file))];
}

/** `package.json` and `tsconfig.json` files above the local files: they decide module type, paths and JSX. */
function resolutionFiles(files: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    for (let d = path.dirname(f); !dirs.has(d); d = path.dirname(d)) {
      dirs.add(d);
      if (path.dirname(d) === d) break;
    }
  }
  return [...dirs]
    .flatMap((d) => [path.join(d, 'package.json'), path.join(d, 'tsconfig.json')])
    .filter((f) => !isInPackage(f) && fs.existsSync(f));
}

/**
 * A file's own location, which bundling would replace by the bundle's: `import.meta.url`, `.filename` and
 * `.dirname` become the values of the source file.
 */
function keepLocation(source: string, file: string): string {
  if (!source.includes('import.meta')) return source;
  if (/import\.meta\.resolve\b/.test(source)) {
    throw new Error(`${file} uses import.meta.resolve, which a bundle cannot keep`);
  }
  return source
    .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(file).href))
    .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(file))
    .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(file)));
}
