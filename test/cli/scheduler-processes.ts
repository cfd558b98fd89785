/**
 * Helpers of the e2e suites that run several `dag scheduler` processes: stopping one with a deadline (a
 * scheduler that does not answer SIGTERM is killed, so no process outlives its test), and reading what their
 * task bodies and the schedulers themselves recorded.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { killHard, readJsonLines } from '../reliability/support/harness.js';
import { type Result, withEngine } from './helpers.js';

export interface Exit {
  readonly result: Result;
  /** False when the deadline passed first and the process was killed with SIGKILL. */
  readonly exitedInTime: boolean;
  /** From the call (for `terminate`, from the SIGTERM) to the exit. */
  readonly elapsedMs: number;
}

/** Waits for `done` (the child's `collect`) at most `withinMs`; then kills the child with SIGKILL. */
export async function exitWithin(
  child: ChildProcess,
  done: Promise<Result>,
  withinMs: number,
): Promise<Exit> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), withinMs);
  });
  const first = await Promise.race([done, late]);
  clearTimeout(timer);
  if (first !== 'late') return { result: first, exitedInTime: true, elapsedMs: Date.now() - start };
  child.kill('SIGKILL');
  return { result: await done, exitedInTime: false, elapsedMs: Date.now() - start };
}

/** Sends SIGTERM, then `exitWithin`. */
export function terminate(child: ChildProcess, done: Promise<Result>, withinMs: number): Promise<Exit> {
  child.kill('SIGTERM');
  return exitWithin(child, done, withinMs);
}

/** The processes a test started: `reap` (in `afterEach`) kills those still running, e.g. after a failed wait. */
export class Children {
  readonly #all: ChildProcess[] = [];

  add(child: ChildProcess): ChildProcess {
    this.#all.push(child);
    return child;
  }

  async reap(): Promise<void> {
    await Promise.all(this.#all.splice(0).map(killHard));
  }
}

/** One line a fixture body appended: `<date> <try> <scheduler pid> <worker pid> [event]`. */
export interface Execution {
  readonly date: string;
  readonly tryNumber: number;
  /** The scheduler that ran the try (the worker's parent). */
  readonly schedulerPid: number;
  readonly workerPid: number;
  readonly event: string | undefined;
}

export function readExecutions(file: string): Execution[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [date, tryNumber, schedulerPid, workerPid, event] = line.split(' ');
      return {
        date: date!,
        tryNumber: Number(tryNumber),
        schedulerPid: Number(schedulerPid),
        workerPid: Number(workerPid),
        event,
      };
    });
}

/** A line of `<home>/logs/scheduler.log`, which every scheduler on that home appends to. */
export interface LoggedSchedulerEvent {
  readonly timestamp: string;
  readonly schedulerId: string;
  readonly type: string;
  readonly logicalDate?: string;
  readonly runId?: string;
  readonly handedBack?: number;
}

export function schedulerEvents(home: string): LoggedSchedulerEvent[] {
  const file = path.join(home, 'logs', 'scheduler.log');
  return fs.existsSync(file) ? (readJsonLines(file) as unknown as LoggedSchedulerEvent[]) : [];
}

/** Whether an event was logged by the scheduler process `pid` (scheduler ids are `host:pid:nonce`). */
export const loggedBy = (pid: number | undefined) => (e: LoggedSchedulerEvent) =>
  e.schedulerId.split(':').at(-2) === String(pid);

/** The runs of `dagId` (state, lease, tries) and the schedulers' last log lines: for assertion messages. */
export async function describeState(home: string, dagId: string): Promise<string> {
  const runs = await withEngine(home, async (e) =>
    Promise.all(
      (await e.listRuns(dagId)).map(async (r) => {
        const tries = (await e.tries(dagId, r.runId)).map((t) => `${t.tryNumber}:${t.state}@${t.pid}`);
        const lease = r.lease ? `${r.lease.owner} until ${r.lease.expiresAt}` : 'none';
        return `  ${r.runId} ${r.state}, lease ${lease}, tries [${tries.join(' ')}]`;
      }),
    ),
  );
  const file = path.join(home, 'logs', 'scheduler.log');
  const log = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15) : [];
  return `\nruns of ${dagId}:\n${runs.join('\n')}\nlast lines of scheduler.log:\n${log.join('\n')}\n`;
}
