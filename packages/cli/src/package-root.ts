import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = '@streampro/cli';

let cached: string | undefined;

/**
 * The folder of this package (where its package.json is), wherever the calling code sits: in `src/` (tests),
 * in tsc's `dist/`, or in a chunk of the bundle `bin/dag.js` loads (`dist/bundle/chunks/`), whose depths
 * differ, so no fixed `../` is right for all of them.
 */
export function cliPackageRoot(): string {
  if (cached) return cached;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (
      fs.existsSync(file) &&
      (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown }).name === NAME
    ) {
      cached = dir;
      return dir;
    }
    if (path.dirname(dir) === dir)
      throw new Error(`the package.json of ${NAME} was not found above ${import.meta.url}`);
  }
}
