import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePackageJson } from '../version.js';

/** One problem `dag check` reports, printed as `file:line: message`. */
export interface CheckProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** The TypeScript a check uses: the project's, else the one installed beside this CLI. */
export interface TypeScriptInstall {
  readonly version: string;
  readonly tsc: string;
  readonly from: 'project' | 'cli';
}

export function findTypeScript(projectDir: string): TypeScriptInstall | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const [from, dir] of [
    ['project', projectDir],
    ['cli', here],
  ] as const) {
    const pkg = resolvePackageJson('typescript', dir);
    if (!pkg) continue;
    const meta = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string; bin?: { tsc?: string } };
    const tsc = path.join(path.dirname(pkg), meta.bin?.tsc ?? 'bin/tsc');
    if (fs.existsSync(tsc)) return { version: meta.version, tsc, from };
  }
  return undefined;
}

/** `path(line,col): error TS1234: message` as `tsc --pretty false` prints it. */
const DIAGNOSTIC = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/;

/**
 * Type-checks with `tsc --noEmit`: the project's tsconfig.json when it has one (its whole program), else the
 * DAG files alone under strict ES-module settings. Resolves with the errors, paths relative to `projectDir`.
 */
export async function typeCheck(
  ts: TypeScriptInstall,
  projectDir: string,
  dagFiles: readonly string[],
): Promise<CheckProblem[]> {
  const hasConfig = fs.existsSync(path.join(projectDir, 'tsconfig.json'));
  const args = hasConfig
    ? ['--noEmit', '--pretty', 'false', '-p', 'tsconfig.json']
    : [
        '--noEmit',
        '--pretty',
        'false',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2023',
        '--skipLibCheck',
        ...dagFiles,
      ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [ts.tsc, ...args], {
      cwd: projectDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  const problems: CheckProblem[] = [];
  for (const line of output.split('\n')) {
    const m = DIAGNOSTIC.exec(line.trim());
    if (m) {
      const file = path.relative(projectDir, path.resolve(projectDir, m[1]!));
      problems.push({ file, line: Number(m[2]), message: `${m[4]} (${m[3]})` });
    } else if (/^error TS\d+:/.test(line.trim())) {
      problems.push({
        file: hasConfig ? 'tsconfig.json' : '.',
        line: 1,
        message: line.trim().replace(/^error /, ''),
      });
    }
  }
  return problems;
}
