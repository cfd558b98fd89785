import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dag, Engine, openRunStore } from '@streampro/engine';
import { type TestSchema, testSchema } from '../../packages/engine/test/support/postgres.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');
export const BIN = path.join(REPO, 'packages/cli/bin/dag.js');
export const FIXTURE_DAGS = path.join(here, 'fixtures/dags');

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where the state of the CLI under test lives. */
export type TestStore = 'sqlite' | 'postgres';

/**
 * The store of the suites: `STREAMPRO_TEST_STORE=postgres` (`npm run test:cli:postgres`) runs them with the
 * state on PostgreSQL, each sandbox in a schema of its own; default the SQLite file of the sandbox's home.
 */
export const TEST_STORE: TestStore = process.env.STREAMPRO_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/** The state database URL of each sandbox home on PostgreSQL, so `withEngine(home)` reads the same state. */
const databaseOf = new Map<string, string>();

/** A temp home, fixture dir and working directory for one test; removed by `cleanup`. */
export class Sandbox {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'dag-e2e-'));
  readonly home = path.join(this.root, 'home');
  readonly fixtures = path.join(this.root, 'fx');
  readonly cwd = path.join(this.root, 'cwd');
  dagsFolder = FIXTURE_DAGS;
  /** The sandbox's schema when its state is on PostgreSQL (created by the first `dag` that opens it). */
  readonly schema: TestSchema | undefined;

  constructor(options: { store?: TestStore } = {}) {
    fs.mkdirSync(this.fixtures);
    fs.mkdirSync(this.cwd);
    this.schema = (options.store ?? TEST_STORE) === 'postgres' ? testSchema() : undefined;
    if (this.schema) databaseOf.set(this.home, this.schema.url);
  }

  env(): NodeJS.ProcessEnv {
    const { NO_COLOR: _, FORCE_COLOR: __, STREAMPRO_DATABASE_URL: ___, ...rest } = process.env;
    return {
      ...rest,
      STREAMPRO_HOME: this.home,
      STREAMPRO_DAGS_FOLDER: this.dagsFolder,
      FIXTURE_DIR: this.fixtures,
      ...(this.schema ? { STREAMPRO_DATABASE_URL: this.schema.url } : {}),
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

  /** Removes the sandbox (and its schema); with the state on PostgreSQL, fails if a state.db appeared. */
  async cleanup(): Promise<void> {
    const strayFile = this.schema !== undefined && fs.existsSync(path.join(this.home, 'state.db'));
    fs.rmSync(this.root, { recursive: true, force: true });
    if (this.schema) {
      databaseOf.delete(this.home);
      await this.schema.drop();
    }
    if (strayFile) throw new Error(`the state is on PostgreSQL, yet ${this.home}/state.db was created`);
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
  const url = databaseOf.get(home);
  const engine = await Engine.open({ home, ...(url ? { store: await openRunStore(url) } : {}) });
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

/** Polls `check` every `everyMs` until it holds; fails naming `what` after `ms`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 60_000,
  everyMs = 50,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `<task> <date> <start ms> <end ms> <pid>` lines of the `pooled` fixture DAG, as intervals. */
export function poolIntervals(file: string): { task: string; start: number; end: number; pid: number }[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [task, date, start, end, pid] = line.split(' ');
      return { task: `${task}@${date}`, start: Number(start), end: Number(end), pid: Number(pid) };
    })
    .sort((a, b) => a.start - b.start);
}

/** The pairs of intervals that overlap in time (none, when a pool of 1 held). */
export function overlaps(intervals: readonly { task: string; start: number; end: number }[]): string[] {
  const found: string[] = [];
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const cur = intervals[i]!;
    if (cur.start < prev.end)
      found.push(`${prev.task} [${prev.start}, ${prev.end}] and ${cur.task} [${cur.start}, ${cur.end}]`);
  }
  return found;
}
