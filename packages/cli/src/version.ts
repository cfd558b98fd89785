import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cliPackageRoot } from './package-root.js';

/** This CLI's version, from its package.json (`dag --version`, and what `dag init` asks for). */
export function cliVersion(): string {
  const file = path.join(cliPackageRoot(), 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Where a package resolves from `dir` (its package.json), or undefined when it is not installed there. */
export function resolvePackageJson(name: string, dir: string): string | undefined {
  try {
    return createRequire(`${dir.replace(/\/?$/, '/')}noop.js`).resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
}
