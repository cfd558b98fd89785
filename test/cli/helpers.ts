import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dag, Engine } from '@streampro/engine';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
export const BIN = path.join(REPO, 'packages/cli/bin/dag.js');
export const FIXTURE_DAGS = path.join(here, 'fixtures/dags');

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temp home, fixture dir and working directory for one test; removed by `cleanup`. */
export class Sandbox {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-e2e-'));
  readonly home = path.join(this.root, 'home');
  readonly fixtures = path.join(this.root, 'fx');
  readonly cwd = path.join(this.root, 'cwd');
  dagsFolder = FIXTURE_DAGS;

  constructor() {
    fs.mkdirSync(this.fixtures);
    fs.mkdirSync(this.cwd);
  }

  env(): NodeJS.ProcessEnv {
    const { NO_COLOR: _, FORCE_COLOR: __, ...rest } = process.env;
    return {
      ...rest,
      STREAMPRO_HOME: this.home,
      STREAMPRO_DAGS_FOLDER: this.dagsFolder,
      FIXTURE_DIR: this.fixtures,
    };
  }

  /** Spawns the built binary; resolves when it exits. */
  dag(...args: string[]): Promise<Result> {
    return collect(this.start(...args));
  }

  start(...args: string[]): ChildProcess {
    return spawn(process.execPath, [BIN, ...args], { cwd: this.cwd, env: this.env(), stdio: 'pipe' });
  }

  fx(name: string): string {
    return path.join(this.fixtures, name);
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export function collect(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves once the child's stderr contains `text`. */
export function waitForStderr(child: ChildProcess, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${JSON.stringify(text)}: ${seen}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export function json<T>(r: Result): T {
  return JSON.parse(r.stdout) as T;
}

/** Reads the state a CLI process left behind, through the engine itself (the CLI has exited by then). */
export async function withEngine<T>(home: string, body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open({ home });
  try {
    return await body(engine);
  } finally {
    await engine.close();
  }
}

/** `taskId -> [state, tryNumber]` of the run of `dag` for `date`. */
export async function taskStates(
  home: string,
  dag: Dag,
  date: string,
): Promise<Record<string, [string, number]>> {
  const run = await withEngine(home, (e) => e.status(dag, date));
  if (!run) throw new Error(`no run of ${dag.id} for ${date}`);
  return Object.fromEntries(run.tasks.map((t) => [t.taskId, [t.state, t.tryNumber]]));
}
