/**
 * The cache of bundled DAG files under the home (`<home>/cache/dags`). An output is keyed by the hashes of
 * every input (the DAG file, the local files it imports, the package.json and tsconfig.json files that steer
 * resolution), so an edit of any of them builds a new one. A small manifest per DAG file names its last
 * output and inputs: a warm load reads and hashes the inputs and imports the output, with no esbuild.
 * Writes go to a temporary name and are renamed into place, so processes building the same file at once
 * each see a whole output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type BundleInput, bundleDag, sha256 } from './dag-bundle.js';

/** Bump when the shape of outputs changes, so older ones are not reused. */
const FORMAT = 'dag-bundle-1';

interface Manifest {
  readonly format: string;
  readonly entry: string;
  /** Relative to the cache folder. */
  readonly output: string;
  readonly inputs: readonly BundleInput[];
}

/** Where the cache of a home lives. */
export function dagCacheDir(home: string): string {
  return path.join(home, 'cache', 'dags');
}

/**
 * The bundled JavaScript of the DAG file `entry`, built now if no output matches its inputs. Throws when the
 * file cannot be bundled (see `bundleDag`).
 */
export async function compiledDagFile(entry: string, cacheDir: string): Promise<string> {
  const manifestFile = path.join(cacheDir, 'entries', `${sha256(entry).slice(0, 32)}.json`);
  const hit = readManifest(manifestFile, entry);
  if (hit && unchanged(hit.inputs) && fs.existsSync(path.join(cacheDir, hit.output))) {
    return path.join(cacheDir, hit.output);
  }
  const name = `${path.basename(entry).replace(/\.[cm]?tsx?$/, '')}.mjs`;
  // Built in a temporary folder first (the key is known once the inputs are read), at the same depth as the
  // final one, so the source map's relative paths to the sources hold after the rename.
  const scratch = fs.mkdtempSync(path.join(ensureDir(cacheDir), '.build-'));
  try {
    const bundle = await bundleDag(entry, path.join(scratch, name));
    const key = sha256([FORMAT, entry, ...bundle.inputs.map((i) => `${i.path}\0${i.sha256}`)].join('\n'));
    const output = path.join(key.slice(0, 32), name);
    const finalDir = path.join(cacheDir, path.dirname(output));
    if (!fs.existsSync(path.join(cacheDir, output))) {
      // The map is linked by file name, so it stays valid in the final folder.
      fs.writeFileSync(path.join(scratch, `${name}.map`), bundle.map);
      fs.writeFileSync(path.join(scratch, name), bundle.code);
      renameDir(scratch, finalDir);
    }
    const manifest: Manifest = { format: FORMAT, entry, output, inputs: bundle.inputs };
    writeAtomically(manifestFile, JSON.stringify(manifest));
    return path.join(cacheDir, output);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function readManifest(file: string, entry: string): Manifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    return m.format === FORMAT && m.entry === entry ? m : undefined;
  } catch {
    return undefined;
  }
}

function unchanged(inputs: readonly BundleInput[]): boolean {
  return inputs.every((i) => {
    try {
      return sha256(fs.readFileSync(i.path)) === i.sha256;
    } catch {
      return false;
    }
  });
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Another process that built the same key first wins; its output is identical. */
function renameDir(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}

function writeAtomically(file: string, content: string): void {
  ensureDir(path.dirname(file));
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, file);
}
