import path from 'node:path';
import { UsageError } from '../errors.js';

/** Where state, logs and the local lake live, and where DAG files are read from. */
export interface Locations {
  /** Absolute `STREAMPRO_HOME`: `state.db`, `logs/` and by default `lake/`. */
  readonly home: string;
  /** Absolute DAGs folder. */
  readonly dagsFolder: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the home (`STREAMPRO_HOME`, default `./.streampro`) and the DAGs folder (`--dags-folder`, then
 * `STREAMPRO_DAGS_FOLDER`, default `./dags`) against the current directory.
 */
export function resolveLocations(env: Env, cwd: string, dagsFolderFlag?: string): Locations {
  const home = path.resolve(cwd, nonEmpty(env.STREAMPRO_HOME) ?? '.streampro');
  const folder = nonEmpty(dagsFolderFlag) ?? nonEmpty(env.STREAMPRO_DAGS_FOLDER) ?? 'dags';
  return { home, dagsFolder: path.resolve(cwd, folder) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Guards against typos in `--dags-folder`: a missing folder is a usage error, not an empty DAG list. */
export function assertDagsFolder(dagsFolder: string, isDirectory: (p: string) => boolean): void {
  if (!isDirectory(dagsFolder)) {
    throw new UsageError(
      `DAGs folder ${dagsFolder} does not exist; pass --dags-folder <dir> or set STREAMPRO_DAGS_FOLDER`,
    );
  }
}
