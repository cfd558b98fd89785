import fs from 'node:fs';
import path from 'node:path';
import { type Dag, type DagRegistry, isDag } from '@streampro/engine';
import { importDagModule } from './import-dag.js';

/** A DAG file that could not be used, with the reason. */
export interface BrokenDagFile {
  readonly path: string;
  readonly error: string;
}

export interface LoadedDags {
  readonly folder: string;
  /** By id; ids defined in two files are left out (see `broken`). */
  readonly dags: ReadonlyMap<string, Dag>;
  /** File each DAG came from, by id. */
  readonly files: ReadonlyMap<string, string>;
  readonly broken: readonly BrokenDagFile[];
}

const DAG_FILE = /\.(ts|mts|js|mjs)$/;

/** Top-level DAG files of the folder; subfolders (e.g. `lib/`) hold support code and are not scanned. */
export function listDagFiles(folder: string): string[] {
  return fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isFile() && DAG_FILE.test(e.name) && !/\.d\.m?ts$/.test(e.name))
    .map((e) => path.join(folder, e.name))
    .sort();
}

export interface LoadDagsOptions {
  /** Import each file as a new module version (a reload after files changed). */
  readonly fresh?: boolean;
  /** Cache of bundled DAG files (`dagCacheDir(home)`); without it, TypeScript goes through tsx. */
  readonly cacheDir?: string;
}

/**
 * Imports every DAG file of the folder and collects the Dag instances it exports (default and named). A
 * file that fails to import is reported as broken and the other files keep working.
 */
export async function loadDags(folder: string, options: LoadDagsOptions = {}): Promise<LoadedDags> {
  const files = listDagFiles(folder);
  const found: { id: string; dag: Dag; file: string }[] = [];
  const broken: BrokenDagFile[] = [];
  for (const file of files) {
    try {
      const mod = await importDagModule(file, {
        cacheDir: options.cacheDir,
        ...(options.fresh ? { version: String(fs.statSync(file).mtimeMs) } : {}),
      });
      const dags = [...new Set(Object.values(mod).filter(isDag))];
      if (dags.length === 0) {
        broken.push({ path: file, error: 'exports no DAG (export the value returned by defineDag)' });
      }
      for (const dag of dags) found.push({ id: dag.id, dag, file });
    } catch (error) {
      broken.push({ path: file, error: commonJsHint(file, error) ?? errorMessage(error) });
    }
  }
  return collect(folder, found, broken);
}

function collect(
  folder: string,
  found: readonly { id: string; dag: Dag; file: string }[],
  broken: BrokenDagFile[],
): LoadedDags {
  const byId = new Map<string, { dag: Dag; file: string }[]>();
  for (const f of found) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const dags = new Map<string, Dag>();
  const files = new Map<string, string>();
  for (const [id, entries] of byId) {
    if (entries.length > 1) {
      const where = entries.map((e) => path.relative(folder, e.file) || e.file).join(' and ');
      for (const e of entries)
        broken.push({ path: e.file, error: `duplicate DAG id '${id}' defined in ${where}` });
      continue;
    }
    dags.set(id, entries[0]!.dag);
    files.set(id, entries[0]!.file);
  }
  return { folder, dags, files, broken };
}

function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Compile errors span several lines (a header, then file:line: message): keep them on one line.
  const text = error.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return `${error.name}: ${text.length > 300 ? `${text.slice(0, 297)}...` : text}`;
}

/** Names, sizes and modification times of the DAG files: it changes when a file is added, removed or edited. */
export function dagFolderSignature(folder: string): string {
  return listDagFiles(folder)
    .map((f) => {
      const st = fs.statSync(f, { throwIfNoEntry: false });
      return `${f}:${st?.size ?? -1}:${st?.mtimeMs ?? -1}`;
    })
    .join('\n');
}

/** The registry the engine uses to find DAGs triggered by assets. */
export function registryOf(loaded: LoadedDags): DagRegistry {
  const all = [...loaded.dags.values()];
  return { get: (id: string) => loaded.dags.get(id), all: () => all };
}

/** Errors Node gives when an ES module DAG file is loaded as CommonJS. */
const COMMONJS_FAILURE =
  /require\(\) ES Module|ERR_REQUIRE_ESM|ERR_REQUIRE_CYCLE_MODULE|Cannot use import statement outside a module|exports is not defined in ES module scope/;

/**
 * One clear line when a DAG file failed because its project is CommonJS (npm init writes
 * `"type": "commonjs"`): what is wrong and the two fixes. Undefined for any other failure.
 */
function commonJsHint(file: string, error: unknown): string | undefined {
  if (/\.m(ts|js)$/.test(file)) return undefined;
  const text =
    error instanceof Error
      ? `${error.message} ${(error as NodeJS.ErrnoException).code ?? ''}`
      : String(error);
  if (!COMMONJS_FAILURE.test(text)) return undefined;
  const pkg = nearestPackageJson(path.dirname(file));
  const type = pkg ? (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: string }).type : undefined;
  if (type === 'module') return undefined;
  const where = pkg
    ? `${pkg} has ${type ? `"type": "${type}"` : 'no "type"'}`
    : 'no package.json sets "type": "module"';
  return `this project is CommonJS (${where}) but DAG files are ES modules: set "type": "module" in package.json (npm pkg set type=module), or name the file .mts`;
}

function nearestPackageJson(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'package.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}
