import fs from 'node:fs';
import path from 'node:path';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { InitArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { scaffoldFiles } from '../scaffold/templates.js';
import { cliVersion, resolvePackageJson } from '../version.js';

/** TypeScript asked for when this CLI cannot resolve one of its own. */
const FALLBACK_TYPESCRIPT = '5.9.0';

/**
 * `dag init [dir]`: a project to write DAGs in (ES module package.json, strict tsconfig, an example DAG,
 * .gitignore). Never overwrites: an existing file is left as it is and named as skipped.
 */
export async function execute(args: InitArgs, io: Io): Promise<number> {
  const dir = path.resolve(io.cwd, args.dir ?? '.');
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`${args.dir} exists and is not a folder; give dag init a folder`);
  }
  const typescript = resolvePackageJson('typescript', path.dirname(new URL(import.meta.url).pathname));
  const files = scaffoldFiles(packageName(dir), {
    streampro: cliVersion(),
    typescript: typescript
      ? (JSON.parse(fs.readFileSync(typescript, 'utf8')) as { version: string }).version
      : FALLBACK_TYPESCRIPT,
  });
  const created: string[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    const target = path.join(dir, f.path);
    if (fs.existsSync(target)) {
      skipped.push(f.path);
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // `wx`: a file that appeared meanwhile is not overwritten either.
    fs.writeFileSync(target, f.text, { flag: 'wx' });
    created.push(f.path);
  }
  if (args.json) {
    printJson(io, { dir, created, skipped });
    return EXIT.ok;
  }
  const rel = path.relative(io.cwd, dir);
  // Inside the current folder: relative paths; elsewhere: absolute ones.
  const shown = rel.startsWith('..') ? dir : rel;
  for (const f of created) println(io, `created ${path.join(shown, f)}`);
  for (const f of skipped) println(io, `skipped ${path.join(shown, f)} (it exists)`);
  const cd = shown;
  println(io, '');
  println(io, 'Next:');
  if (cd) println(io, `  cd ${cd}`);
  println(io, '  npm install');
  println(io, '  npx dag check');
  println(io, '  npx dag run example --date 2025-01-02');
  return EXIT.ok;
}

/** A valid npm package name from the folder's name. */
function packageName(dir: string): string {
  const base = path
    .basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+/, '');
  return base || 'dags';
}
