import path from 'node:path';

/** A path relative to the current directory when it lies inside it, else absolute: short but unambiguous. */
export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
