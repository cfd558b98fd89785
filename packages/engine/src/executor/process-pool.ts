import os from 'node:os';
import { appendLogLine } from '../logging/append-line.js';
import type { LogLevel, TaskInstanceKey } from '../logging/logger.js';
import { SecretMasker } from '../logging/mask.js';
import { TaskInterruptedError, TaskTimeoutError, WorkerCrashedError } from '../model/errors.js';
import type { CancelOptions, Executor, ExecutorListener, TryOutcome } from './executor.js';
import { instanceLabel, type TryJob, tryLabel } from './try-descriptor.js';
import { WorkerProcess } from './worker-process.js';
import { type FromWorker, fromWireOutcome, toWireError } from './worker-protocol.js';

export interface ProcessPoolOptions {
  /**
   * Worker processes at most; they start when tries need them. @default twice the CPUs, at least 4 (tasks
   * of data pipelines mostly wait on I/O or on DuckDB's own threads)
   */
  readonly size?: number;
  /** Time a stopped try (timeout, cancel, Ctrl-C) gets to settle before its process is killed. @default 5000 */
  readonly graceMs?: number;
  /** Node options of the workers, e.g. a TypeScript loader for `.ts` DAG files. @default this process's */
  readonly execArgv?: readonly string[];
  /**
   * A worker stops its body when its owner has not pinged it for this long (the owner is stopped or hung).
   * Keep it below the lease TTL, so a body is stopped before another process can take its run over.
   * @default 15000
   */
  readonly ownerSilenceMs?: number;
  /** The least severe level tries' loggers write. @default 'debug' */
  readonly logLevel?: LogLevel;
  /**
   * URL of a module whose `importDagModule(file, version)` the workers import DAG files with (e.g. from a
   * cache of compiled files, with a TypeScript loader as fallback). @default plain `import()`
   */
  readonly dagImporter?: string;
  /** Environment of the workers. @default this process's */
  readonly env?: NodeJS.ProcessEnv;
}

interface Assignment {
  readonly job: TryJob;
  readonly listener: ExecutorListener;
  readonly masker: SecretMasker;
  /** The scheduler has been told how the try ended; anything the process says later is discarded. */
  reported: boolean;
  cancelDeadline: () => void;
}

interface Slot {
  readonly process: WorkerProcess;
  assignment: Assignment | undefined;
  /** The last try it ran, where late output goes. */
  last: Assignment | undefined;
  /** Stopping: it takes no new try and is killed at the end of its grace period. */
  retiring: boolean;
  /** DAG modules it imported ahead of time, or is importing (resolves when done). */
  readonly loads: Map<string, Promise<void>>;
  readonly loaded: Map<string, () => void>;
}

/**
 * Runs each try in a reusable child process (DAG modules load once per process). A try that passes its
 * deadline is reported failed at the deadline; its process gets `graceMs` to stop the body, then SIGKILL.
 * A process that dies fails only its try. A later try of the same task instance never starts while a
 * process of an earlier one is still alive.
 */
export class ProcessPoolExecutor implements Executor {
  readonly #size: number;
  readonly #graceMs: number;
  readonly #execArgv: readonly string[];
  readonly #ownerSilenceMs: number;
  readonly #logLevel: LogLevel;
  readonly #dagImporter: string | undefined;
  readonly #env: NodeJS.ProcessEnv;
  readonly #slots = new Set<Slot>();
  readonly #queue: { job: TryJob; listener: ExecutorListener }[] = [];
  /** Task instances with a process still alive from an aborted try. */
  readonly #lingering = new Map<string, Slot>();
  readonly #ping: NodeJS.Timeout;
  #closing = false;

  constructor(options: ProcessPoolOptions = {}) {
    this.#size = Math.max(1, options.size ?? Math.max(4, 2 * os.availableParallelism()));
    this.#graceMs = options.graceMs ?? 5000;
    this.#execArgv = options.execArgv ?? process.execArgv.filter((a) => !a.startsWith('--inspect'));
    this.#ownerSilenceMs = options.ownerSilenceMs ?? 15_000;
    this.#logLevel = options.logLevel ?? 'debug';
    this.#dagImporter = options.dagImporter;
    this.#env = options.env ?? process.env;
    // Real time: the ping tells workers that this process is alive, whatever clock the scheduler uses.
    // At least four pings within the silence a worker tolerates, so one late ping never stops a body.
    const pingMs = Math.max(50, Math.min(1000, Math.floor(this.#ownerSilenceMs / 4)));
    this.#ping = setInterval(() => {
      for (const slot of this.#slots) slot.process.send({ type: 'ping' });
    }, pingMs);
    this.#ping.unref();
  }

  /** Worker processes alive now (busy, idle or stopping). */
  get processCount(): number {
    return this.#slots.size;
  }

  submit(job: TryJob, listener: ExecutorListener): void {
    if (this.#closing) {
      listener.finished(job.descriptor.key, interrupted('the executor is closing'));
      return;
    }
    this.#queue.push({ job, listener });
    this.#pump();
  }

  cancel(key: TaskInstanceKey, error: Error, options: CancelOptions = {}): void {
    const id = tryLabel(key);
    const queued = this.#queue.findIndex((q) => tryLabel(q.job.descriptor.key) === id);
    if (queued >= 0) {
      const [q] = this.#queue.splice(queued, 1);
      q!.listener.finished(key, { kind: 'failed', error, retryable: false });
      return;
    }
    for (const slot of this.#slots) {
      if (slot.assignment && tryLabel(slot.assignment.job.descriptor.key) === id) {
        this.#stop(slot, error, false);
        if (options.kill) slot.process.kill('SIGKILL');
      }
    }
  }

  settled(key: TaskInstanceKey): Promise<void> {
    const slot = this.#lingering.get(instanceLabel(key));
    return slot ? slot.process.exited : Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const q of this.#queue.splice(0)) {
      q.listener.finished(q.job.descriptor.key, interrupted('the executor closed'));
    }
    const exits: Promise<void>[] = [];
    for (const slot of this.#slots) {
      if (slot.assignment) this.#stop(slot, new TaskInterruptedError('the executor closed'), false);
      slot.process.kill('SIGTERM');
      const kill = setTimeout(() => slot.process.kill('SIGKILL'), this.#graceMs);
      exits.push(slot.process.exited.finally(() => clearTimeout(kill)));
    }
    await Promise.all(exits);
    clearInterval(this.#ping);
  }

  #pump(): void {
    for (let i = 0; i < this.#queue.length; ) {
      const next = this.#queue[i]!;
      if (this.#lingering.has(instanceLabel(next.job.descriptor.key))) {
        i++;
        continue;
      }
      const slot = this.#idleSlot();
      if (!slot) return;
      this.#queue.splice(i, 1);
      this.#assign(slot, next.job, next.listener);
    }
  }

  async prepare(dagFile: string, parallelism: number): Promise<void> {
    if (this.#closing) return;
    const wanted = Math.min(this.#size, parallelism);
    while (this.#slots.size < wanted) this.#spawn();
    const loads: Promise<void>[] = [];
    for (const slot of this.#slots) {
      if (slot.retiring) continue;
      if (loads.length >= wanted) break;
      let load = slot.loads.get(dagFile);
      if (!load) {
        load = new Promise<void>((resolve) => {
          slot.loaded.set(dagFile, resolve);
          slot.process.send({ type: 'load', dagFile });
        });
        slot.loads.set(dagFile, load);
      }
      loads.push(load);
    }
    await Promise.all(loads);
  }

  #idleSlot(): Slot | undefined {
    for (const slot of this.#slots) if (!slot.assignment && !slot.retiring) return slot;
    return this.#slots.size < this.#size ? this.#spawn() : undefined;
  }

  #spawn(): Slot {
    const slot: Slot = {
      assignment: undefined,
      last: undefined,
      retiring: false,
      loads: new Map(),
      loaded: new Map(),
      process: new WorkerProcess(
        this.#execArgv,
        this.#env,
        {
          ownerSilenceMs: this.#ownerSilenceMs,
          graceMs: this.#graceMs,
          logLevel: this.#logLevel,
          dagImporter: this.#dagImporter,
        },
        {
          message: (m) => this.#onMessage(slot, m),
          output: (stream, line) => this.#onOutput(slot, stream, line),
          exit: (code, signal) => this.#onExit(slot, code, signal),
        },
      ),
    };
    this.#slots.add(slot);
    return slot;
  }

  #assign(slot: Slot, job: TryJob, listener: ExecutorListener): void {
    slot.assignment = {
      job,
      listener,
      masker: new SecretMasker(job.secrets.mask),
      reported: false,
      cancelDeadline: () => {},
    };
    slot.process.send({ type: 'run', job });
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'loaded') {
      slot.loaded.get(message.dagFile)?.();
      return;
    }
    const a = slot.assignment;
    if (!a || a.reported || tryLabel(message.key) !== tryLabel(a.job.descriptor.key)) return;
    if (message.type === 'secret') {
      a.masker.add(message.value);
      a.listener.secret?.(message.key, message.value);
      return;
    }
    if (message.type === 'started') {
      a.listener.started(message.key, message.placement);
      const timeoutMs = a.job.descriptor.timeoutMs;
      if (timeoutMs !== undefined) {
        const timer = setTimeout(() => this.#stop(slot, new TaskTimeoutError(timeoutMs), true), timeoutMs);
        a.cancelDeadline = () => clearTimeout(timer);
      }
      return;
    }
    this.#report(a, fromWireOutcome(message.outcome));
    slot.last = a;
    slot.assignment = undefined;
    if (!slot.retiring) this.#pump();
  }

  /** Reports the try failed now; the process gets the grace period to stop the body, then it is killed. */
  #stop(slot: Slot, error: Error, retryable: boolean): void {
    const a = slot.assignment;
    if (!a || a.reported) return;
    this.#report(a, { kind: 'failed', error, retryable });
    const d = a.job.descriptor;
    appendLogLine(d.logPath, d.key, a.masker, 'error', `try failed: ${error.message}`, {
      error: { name: error.name, message: error.message },
    });
    slot.retiring = true;
    this.#lingering.set(instanceLabel(a.job.descriptor.key), slot);
    slot.process.send({ type: 'abort', error: toWireError(error) });
    setTimeout(() => slot.process.kill('SIGKILL'), this.#graceMs).unref();
  }

  #report(a: Assignment, outcome: TryOutcome): void {
    if (a.reported) return;
    a.reported = true;
    a.cancelDeadline();
    a.listener.finished(a.job.descriptor.key, outcome);
  }

  #onOutput(slot: Slot, stream: 'stdout' | 'stderr', line: string): void {
    const a = slot.assignment ?? slot.last;
    if (!a) {
      process.stderr.write(`[worker ${slot.process.pid}] ${line}\n`);
      return;
    }
    const d = a.job.descriptor;
    appendLogLine(d.logPath, d.key, a.masker, stream === 'stderr' ? 'warn' : 'info', line, {
      stream,
      raw: true,
    });
  }

  #onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    this.#slots.delete(slot);
    for (const done of slot.loaded.values()) done();
    const a = slot.assignment;
    if (a) {
      const error = new WorkerCrashedError(slot.process.pid, code, signal);
      if (!a.reported) {
        const d = a.job.descriptor;
        appendLogLine(d.logPath, d.key, a.masker, 'error', `try failed: ${error.message}`, {
          error: { name: error.name, message: error.message },
        });
      }
      this.#report(a, { kind: 'failed', error, retryable: true });
    }
    for (const [instance, s] of this.#lingering) if (s === slot) this.#lingering.delete(instance);
    if (!this.#closing) this.#pump();
  }
}

function interrupted(reason: string): TryOutcome {
  return { kind: 'failed', error: new TaskInterruptedError(reason), retryable: false };
}
