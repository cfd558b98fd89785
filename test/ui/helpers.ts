import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type Browser, chromium } from 'playwright-core';
import { collect, type Result, Sandbox } from '../cli/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const UI_DAGS = path.join(here, 'fixtures/dags');
export const SCREENSHOTS = path.resolve(here, '../../docs/ui');
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A sandbox home over the UI fixture DAGs, on SQLite (the tests dump its tables). */
export function uiSandbox(): Sandbox {
  const sandbox = new Sandbox({ store: 'sqlite' });
  sandbox.dagsFolder = UI_DAGS;
  return sandbox;
}

/**
 * Debian's Chromium, or a skip with the reason: outside CI a machine without it skips the browser tests;
 * with CI=true a missing browser fails them (a CI that silently runs nothing is a defect).
 */
export async function launchChromium(test: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    const message = `${CHROMIUM} is missing: install it with apt-get install -y chromium to run the browser tests`;
    if (process.env.CI === 'true') throw new Error(message);
    process.stderr.write(`skipping: ${message}\n`);
    test.skip();
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A running `dag ui`: its URL and how to stop it (SIGTERM, then its exit). */
export interface UiProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<Result>;
}

/** Spawns the built `dag ui --port 0` in the sandbox and waits for the URL it prints. */
export async function startUi(sandbox: Sandbox, ...args: string[]): Promise<UiProcess> {
  const child = sandbox.start('ui', '--port', '0', ...args);
  const done = collect(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`dag ui printed no URL: ${out}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void done.then((r) => {
      clearTimeout(timer);
      reject(new Error(`dag ui exited ${r.code} before serving: ${r.stderr}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return done;
    },
  };
}

/** Every row of every table of the sandbox's state database, for before/after comparisons. */
export function dumpStore(sandbox: Sandbox): Record<string, unknown[]> {
  const db = new Database(path.join(sandbox.home, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
    );
  } finally {
    db.close();
  }
}

/** Runs `dag run` in the sandbox and fails with its output unless it exits with `code`. */
export async function dagRun(sandbox: Sandbox, code: number, ...args: string[]): Promise<void> {
  const r = await sandbox.dag('run', ...args, '--no-downstream');
  if (r.code !== code)
    throw new Error(`dag run ${args.join(' ')} exited ${r.code}, not ${code}: ${r.stderr}`);
}

/** The lease epoch of a run as stored (it survives a release): how many times its lease was acquired. */
export function leaseEpoch(sandbox: Sandbox, dagId: string, runId: string): number {
  const db = new Database(path.join(sandbox.home, 'state.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT lease_epoch FROM dag_runs WHERE dag_id = ? AND run_id = ?')
      .get(dagId, runId) as { lease_epoch: number } | undefined;
    if (!row) throw new Error(`no run ${dagId}/${runId}`);
    return row.lease_epoch;
  } finally {
    db.close();
  }
}
