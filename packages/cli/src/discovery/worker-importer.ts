/**
 * The `dagImporter` of the CLI's worker processes: they import DAG files as the `dag` process does, from
 * the cache of the home it set in their environment (`STREAMPRO_HOME`), so a pool starts without tsx.
 */
import type { DagModuleImporter } from '@streampro/engine';
import { dagCacheDir } from './dag-cache.js';
import { importDagModule as importDag } from './import-dag.js';

export const importDagModule: DagModuleImporter = (file, version) => {
  const home = process.env.STREAMPRO_HOME;
  return importDag(file, {
    cacheDir: home ? dagCacheDir(home) : undefined,
    ...(version === undefined ? {} : { version }),
  });
};
