import { pathToFileURL } from 'node:url';
import { type Dag, isDag } from '../model/dag.js';
import { NonRetryableError } from '../model/errors.js';

const modules = new Map<string, Promise<Record<string, unknown>>>();

function importOnce(file: string): Promise<Record<string, unknown>> {
  let mod = modules.get(file);
  if (!mod) {
    mod = import(pathToFileURL(file).href) as Promise<Record<string, unknown>>;
    modules.set(file, mod);
  }
  return mod;
}

/** Imports a DAG module ahead of its first try; an import error is left for that try to report. */
export async function preloadModule(file: string): Promise<void> {
  try {
    await importOnce(file);
  } catch {
    modules.delete(file);
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
    modules.delete(file);
    throw new NonRetryableError(
      `worker could not import DAG file ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const dag = Object.values(exports).find((v): v is Dag => isDag(v) && v.id === dagId);
  if (!dag) throw new NonRetryableError(`DAG file ${file} no longer exports a DAG with id '${dagId}'`);
  return dag;
}
