import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/**
 * Runs a TypeScript file of the suite in a fresh Node process and parses the JSON of its last stdout line.
 * Aborting `signal` kills the process (SIGTERM).
 */
export async function runTsChild<T>(
  script: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: REPO_ROOT,
      env: env ?? process.env,
      maxBuffer: 64 * 1024 * 1024,
      ...(signal ? { signal } : {}),
    });
    const last = stdout.trim().split('\n').at(-1) ?? '';
    return JSON.parse(last) as T;
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`${script} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}
