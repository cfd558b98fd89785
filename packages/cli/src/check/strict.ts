import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { Session } from '../session.js';
import { type CheckProblem, findTypeScript, typeCheck } from './typecheck.js';

/**
 * Type errors of the project the DAG files are in (its TypeScript, else the CLI's; with `projectOnly`, only
 * when the project has TypeScript of its own); none without TypeScript.
 */
export async function dagTypeErrors(s: Session, io: Io, projectOnly = false): Promise<CheckProblem[]> {
  const ts = findTypeScript(io.cwd);
  if (!ts || (projectOnly && ts.from !== 'project')) return [];
  return typeCheck(ts, io.cwd, [...new Set(s.loaded.files.values())].sort());
}

/** `--strict`: refuses to go on (exit 2) when the DAG files have type errors, printing them first. */
export async function requireNoTypeErrors(s: Session, io: Io, command: string): Promise<void> {
  const problems = await dagTypeErrors(s, io);
  if (problems.length === 0) return;
  for (const p of problems) io.stderr.write(`${p.file}:${p.line}: ${p.message}\n`);
  throw new UsageError(
    `--strict: ${problems.length} type error(s) in the DAG files (above); fix them or run ${command} without --strict`,
  );
}
