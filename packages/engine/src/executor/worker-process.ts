import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type WorkerSettings, workerSettingsEnv } from '../worker/settings.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

/**
 * The worker entry point: next to this module when the engine runs from source (`.ts`); built, the one of
 * the package's bundle (`@streampro/engine/worker`), which shares the bundle's chunks with the engine a DAG
 * file imports, so a worker holds one copy of the engine's classes.
 */
const WORKER_MAIN = import.meta.url.endsWith('.ts')
  ? fileURLToPath(new URL('../worker/main.ts', import.meta.url))
  : // createRequire, not import.meta.resolve: a test runner may load this module as CommonJS (tsx), without it.
    createRequire(import.meta.url).resolve('@streampro/engine/worker');

export interface WorkerProcessEvents {
  message(message: FromWorker): void;
  /** A line the process wrote to its real stdout/stderr (native code, or output before capture started). */
  output(stream: 'stdout' | 'stderr', line: string): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

/** One child process of the pool and its IPC channel. */
export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly exited: Promise<void>;
  #alive = true;

  constructor(
    execArgv: readonly string[],
    env: NodeJS.ProcessEnv,
    settings: WorkerSettings,
    events: WorkerProcessEvents,
  ) {
    this.#child = fork(WORKER_MAIN, [], {
      execArgv: [...execArgv],
      env: { ...env, ...workerSettingsEnv(settings) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.#child.on('message', (m: FromWorker) => events.message(m));
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.#child[stream];
      if (source) readline.createInterface({ input: source }).on('line', (l) => events.output(stream, l));
    }
    // A failed send (the process just died) surfaces as its exit; nothing else to do here.
    this.#child.on('error', () => {});
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': the last lines of its stdout/stderr are delivered before it.
      this.#child.once('close', (code, signal) => {
        this.#alive = false;
        events.exit(code, signal);
        resolve();
      });
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get alive(): boolean {
    return this.#alive;
  }

  send(message: ToWorker): void {
    if (this.#alive && this.#child.connected) this.#child.send(message);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.#alive) this.#child.kill(signal);
  }
}
