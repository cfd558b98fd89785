import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runLogPath } from '@streampro/engine';
import { expect } from 'chai';
import { Sandbox } from '../../cli/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const RELIABILITY_DAGS = path.resolve(here, '../fixtures/dags');

/** The CLI sandbox pointed at the reliability fixture DAGs, with extra env values per test. */
export class FaultSandbox extends Sandbox {
  readonly lake = path.join(this.home, 'lake');
  extraEnv: Record<string, string> = {};

  constructor(options: ConstructorParameters<typeof Sandbox>[0] = {}) {
    super(options);
    this.dagsFolder = RELIABILITY_DAGS;
  }

  override env(): NodeJS.ProcessEnv {
    const base = super.env();
    // A developer's S3 settings must never leak into a test: the lake is local unless a test says otherwise.
    for (const name of Object.keys(base))
      if (name.startsWith('AWS_') || name === 'STREAMPRO_LAKE') delete base[name];
    return { ...base, ...this.extraEnv };
  }

  /** Makes the fixture tasks stop at gate `name` (see fixtures/dags/lib/gates.ts). */
  hold(name: string): void {
    fs.writeFileSync(this.fx(`hold-${name}`), '');
  }

  open(name: string): void {
    fs.writeFileSync(this.fx(`go-${name}`), '');
  }

  /** Removes every gate file, so the next process runs straight through. */
  resetGates(): void {
    for (const f of fs.readdirSync(this.fixtures)) {
      if (/^(hold|at|go)-/.test(f)) fs.rmSync(this.fx(f));
    }
  }

  /** Resolves when a task reached gate `name`. */
  reached(name: string, timeoutMs = 30_000): Promise<void> {
    return waitFor(() => fs.existsSync(this.fx(`at-${name}`)), `gate ${name}`, timeoutMs);
  }

  /** Executed tries per `"<ds> <taskId>"`, from the fixture tasks' execution log. */
  executions(): Map<string, number> {
    const counts = new Map<string, number>();
    const file = this.fx('executions.log');
    if (!fs.existsSync(file)) return counts;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const [ds, task] = line.split(' ');
      const key = `${ds} ${task}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  /** The run's log segment, which holds the lines of every try of the run run on this machine. */
  logFile(dagId: string, runId: string): string {
    return runLogPath(path.join(this.home, 'logs'), { dagId, runId });
  }

  /** The lines of one try, parsed, from its run's segment. */
  tryLines(dagId: string, runId: string, taskId: string, tryNumber: number): Record<string, unknown>[] {
    return readJsonLines(this.logFile(dagId, runId)).filter(
      (l) => l.taskId === taskId && l.tryNumber === tryNumber,
    );
  }
}

/** Polls `check` every 20 ms until it is true; bounded so a broken test fails instead of hanging. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** SIGKILLs a child and waits until it is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.kill('SIGKILL');
  await gone;
}

/** Keys of every file under a local lake root, the store's temp folder excluded (readers never see it). */
export function visibleObjects(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (prefix === '' && entry.name === '.streampro-tmp') continue;
      const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), key);
      else out.push(key);
    }
  };
  walk(root, '');
  return out.sort();
}

/** Files of the local store's temp folder: in-flight (or crashed) writes. */
export function tempObjects(root: string): string[] {
  const dir = path.join(root, '.streampro-tmp');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/**
 * Asserts that an object's bytes are a complete object of its kind: Parquet framed by `PAR1` at both
 * ends, JSON / JSON Lines ending in a newline with every line parseable. A torn write fails one of these.
 */
export function assertComplete(key: string, bytes: Buffer): void {
  if (key.endsWith('.parquet')) {
    expect(bytes.length, key).to.be.greaterThan(8);
    expect(bytes.subarray(0, 4).toString('latin1'), `${key} head`).to.equal('PAR1');
    expect(bytes.subarray(-4).toString('latin1'), `${key} tail`).to.equal('PAR1');
  } else if (key.endsWith('.jsonl') || key.endsWith('.json')) {
    const text = bytes.toString('utf8');
    expect(text.endsWith('\n'), `${key} ends with a newline`).to.equal(true);
    for (const line of text.split('\n').filter((l) => l !== '')) {
      expect(() => JSON.parse(line), `${key}: ${line.slice(0, 80)}`).to.not.throw();
    }
  }
}

/** Every visible object of a local lake is complete; returns their keys. */
export function assertLakeComplete(root: string): string[] {
  const keys = visibleObjects(root);
  for (const key of keys) assertComplete(key, fs.readFileSync(path.join(root, ...key.split('/'))));
  return keys;
}

/** A log file parsed as JSON lines; throws when a line is not JSON. */
export function readJsonLines(file: string): Record<string, unknown>[] {
  const text = fs.readFileSync(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Whether process `pid` still runs code: a zombie (exited, not yet reaped) still answers `kill(pid, 0)`, so
 * the state field of `/proc/<pid>/stat` is read instead (Linux).
 */
export function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
