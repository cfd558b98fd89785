import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Dag, isDag } from '../model/dag.js';
import { NonRetryableError } from '../model/errors.js';

/**
 * What a `dagImporter` module exports as `importDagModule`: imports the DAG file (absolute path); `version`
 * is set when the file changed since its first import, to import it again as a new module version.
 */
export type DagModuleImporter = (
  file: string,
  version: string | undefined,
) => Promise<Record<string, unknown>>;

const plainImport: DagModuleImporter = (file, version) => {
  const href = pathToFileURL(file).href;
  return import(version === undefined ? href : `${href}?v=${version}`) as Promise<Record<string, unknown>>;
};

let importer: Promise<DagModuleImporter> = Promise.resolve(plainImport);

/** Imports DAG files with the `importDagModule` of the module at `url` from now on. */
export function useDagImporter(url: string): void {
  importer = (import(url) as Promise<{ importDagModule: DagModuleImporter }>).then((m) => m.importDagModule);
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Imports the module once per version of the file: a DAG file changed since (a scheduler that reloaded
 * it) is imported again, so the next try runs the new code. Modules it imports keep their first version.
 */
function importOnce(file: string): Promise<Record<string, unknown>> {
  const version = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const key = `${file}\u0000${version}`;
  let mod = modules.get(key);
  if (!mod) {
    const first = ![...modules.keys()].some((k) => k.startsWith(`${file}\u0000`));
    mod = importer.then((load) => load(file, first ? undefined : String(version)));
    modules.set(key, mod);
  }
  return mod;
}

/** Imports a DAG module ahead of its first try; an import error is left for that try to report. */
export async function preloadModule(file: string): Promise<void> {
  try {
    await importOnce(file);
  } catch {
    forget(file);
  }
}

/**
 * The DAG with this id, exported by the module at `file`. Each module is imported once per worker process,
 * so a worker that runs many tries of a DAG pays its import (and its libraries' start-up) once.
 */
export async function loadDag(file: string | undefined, dagId: string): Promise<Dag> {
  if (file === undefined) {
    throw new NonRetryableError(
      `DAG '${dagId}' was not loaded from a file, so a worker process cannot import it; ` +
        'load DAGs from a DAG folder, or run with the in-process executor',
    );
  }
  let exports: Record<string, unknown>;
  try {
    exports = await importOnce(file);
  } catch (error) {
    forget(file);
    throw new NonRetryableError(
      `worker could not import DAG file ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const dag = Object.values(exports).find((v): v is Dag => isDag(v) && v.id === dagId);
  if (!dag) throw new NonRetryableError(`DAG file ${file} no longer exports a DAG with id '${dagId}'`);
  return dag;
}

/** Drops the failed import of `file` so the next try imports it again. */
function forget(file: string): void {
  for (const key of [...modules.keys()]) if (key.startsWith(`${file}\u0000`)) modules.delete(key);
}
