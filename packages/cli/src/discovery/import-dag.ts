/**
 * How a DAG file is imported, in the `dag` process and in its worker processes alike: TypeScript that can
 * be bundled is imported as JavaScript from the cache (`dag-cache.ts`); anything else goes through tsx, as
 * before the cache existed, so a file the bundler refuses still loads, or fails with tsx's message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledDagFile } from './dag-cache.js';

export interface ImportDagOptions {
  /** The folder of the cache (`dagCacheDir(home)`); without it, TypeScript goes through tsx. */
  readonly cacheDir?: string | undefined;
  /** Set to import the file again as a new module version (ES modules are cached by URL). */
  readonly version?: string;
}

let tsxRegistered = false;

/** Registering tsx once is enough for every later import. */
async function ensureTypeScriptLoader(): Promise<void> {
  if (tsxRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsxRegistered = true;
}

/** Imports the DAG module at `file` (absolute). */
export async function importDagModule(
  file: string,
  options: ImportDagOptions,
): Promise<Record<string, unknown>> {
  const typescript = /\.[cm]?tsx?$/.test(file);
  let target = file;
  if (typescript && options.cacheDir !== undefined && isEsModuleScope(file)) {
    try {
      target = await compiledDagFile(file, options.cacheDir);
      // Stacks of errors thrown by the bundle then name the .ts sources and lines.
      process.setSourceMapsEnabled(true);
    } catch {
      target = file;
    }
  }
  if (target === file && typescript) await ensureTypeScriptLoader();
  const href = pathToFileURL(target).href;
  return (await import(options.version ? `${href}?v=${options.version}` : href)) as Record<string, unknown>;
}

/**
 * Whether Node treats `file` as an ES module. A `.ts` file of a CommonJS project is left to tsx, which loads
 * it as CommonJS and so fails (or not) exactly as it did before the cache.
 */
function isEsModuleScope(file: string): boolean {
  if (/\.mtsx?$/.test(file)) return true;
  if (/\.ctsx?$/.test(file)) return false;
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(d) === d) return false;
  }
}
