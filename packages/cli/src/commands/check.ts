import path from 'node:path';
import { type CheckProblem, findTypeScript, typeCheck } from '../check/typecheck.js';
import { EXIT } from '../errors.js';
import type { Io } from '../io.js';
import type { CheckArgs } from '../options.js';
import { eprintln, printJson, println } from '../output.js';
import { withSession } from '../session.js';

/**
 * `dag check`: type-checks the project (its TypeScript, else the CLI's), loads every DAG file (which
 * validates ids, options, schedules and params as `defineDag` does), and prints each problem as
 * `file:line: message`. Exit 1 when there is any.
 */
export async function execute(args: CheckArgs, io: Io): Promise<number> {
  return withSession(args, io, async (s) => {
    const projectDir = io.cwd;
    const folder = s.loaded.folder;
    const files = [...new Set([...s.loaded.files.values(), ...s.loaded.broken.map((b) => b.path)])].sort();
    const problems: CheckProblem[] = s.loaded.broken.map((b) => ({
      file: path.relative(projectDir, b.path),
      line: lineOf(b.error, b.path),
      message: b.error,
    }));
    const ts = findTypeScript(projectDir);
    if (ts) problems.push(...(await typeCheck(ts, projectDir, files)));
    else
      eprintln(
        io,
        'dag check: TypeScript is not installed (npm install -D typescript): DAG files were loaded, not type-checked',
      );
    problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    if (args.json) {
      printJson(io, {
        folder: path.relative(projectDir, folder) || '.',
        typescript: ts ? { version: ts.version, from: ts.from } : null,
        dags: [...s.loaded.dags.keys()].sort(),
        problems,
      });
    } else {
      for (const p of problems) println(io, `${p.file}:${p.line}: ${p.message}`);
      const checked = ts
        ? `type-checked with TypeScript ${ts.version} (${ts.from === 'project' ? "the project's" : "the CLI's"})`
        : 'not type-checked';
      const summary = `${files.length} DAG file(s), ${s.loaded.dags.size} DAG(s), ${checked}`;
      if (problems.length === 0) println(io, `ok: ${summary}`);
      else eprintln(io, `dag check: ${problems.length} problem(s); ${summary}`);
    }
    return problems.length === 0 ? EXIT.ok : EXIT.failed;
  });
}

/** The line an import error points at in `file` (`file:12:3` in its message or stack), else 1. */
function lineOf(error: string, file: string): number {
  const at = error.indexOf(`${file}:`);
  if (at < 0) return 1;
  const m = /^:(\d+)/.exec(error.slice(at + file.length));
  return m ? Number(m[1]) : 1;
}
