import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';

/** A fresh directory under the OS temp dir; remove it with `removeDir`. */
export function makeTempDir(prefix = 'streampro-engine-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  let value: unknown;
  try {
    value = await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(Error);
    return error as Error;
  }
  expect.fail(`expected a rejection, got ${JSON.stringify(value)}`);
}

/** The error a function throws; fails the test when it returns. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(Error);
    return error as Error;
  }
  expect.fail('expected the call to throw');
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets other ready callbacks (other tasks, the scheduler) run, without waiting on wall time. */
export async function yieldTurns(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Counts how many holders are inside a section at once, and the most ever seen. */
export class ConcurrencyProbe {
  current = 0;
  max = 0;

  enter(): void {
    this.current++;
    this.max = Math.max(this.max, this.current);
  }

  exit(): void {
    this.current--;
  }

  /**
   * Runs `body` inside the section. It stays inside until `peers` holders are in at once (or 300 ms have
   * passed), so an overlap the scheduler allows is seen whatever the machine's load.
   */
  async around<T>(body: () => T | Promise<T>, peers = 2): Promise<T> {
    this.enter();
    try {
      const deadline = Date.now() + 300;
      while (this.current < peers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      await yieldTurns();
      return await body();
    } finally {
      this.exit();
    }
  }
}

/** Each task's state of a run result, by task id. */
export function taskStates(result: {
  readonly tasks: readonly { readonly taskId: string; readonly state: string }[];
}): Record<string, string> {
  return Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state]));
}
