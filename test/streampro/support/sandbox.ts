import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToParquetOutput } from '@streampro/operators';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The CLI runs from the repository root, where it finds `dags/` and the committed `data/`. */
export const REPO = path.resolve(here, '../../..');
export const BIN = path.join(REPO, 'packages/cli/bin/dag.js');
export const DATA = path.join(REPO, 'data');
export const DATE = '2025-09-09';

export const DATASETS = ['users', 'videos', 'devices', 'events'] as const;
export type Dataset = (typeof DATASETS)[number];

/** Primary key of each trusted dataset (the schemas' dedup keys). */
export const KEY_OF: Record<Dataset, string> = {
  users: 'user_id',
  videos: 'video_id',
  devices: 'device_id',
  events: 'event_id',
};

export function landingFile(dataset: Dataset, date: string): string {
  return `${dataset}_${date}.${dataset === 'events' ? 'jsonl' : 'csv'}`;
}

/**
 * The documented lake layout, spelled out here rather than imported from the DAG's config so that a
 * wrong key there fails the tests.
 */
export function lakeKeys(dataset: Dataset, date: string) {
  const partition = `${dataset}/ingestion_date=${date}`;
  return {
    landing: `landing/${partition}/${landingFile(dataset, date)}`,
    raw: `raw/${partition}/${landingFile(dataset, date)}`,
    trusted: `trusted/${partition}/part-0.parquet`,
    quarantine: `quarantine/${partition}/rejects.jsonl`,
    counts: `trusted/${partition}/_counts.json`,
  };
}

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `dag status --json` of one run (the fields these tests read). */
export interface RunStatus {
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: string;
  readonly state: string;
  readonly tasks: readonly TaskStatus[];
}

export interface TaskStatus {
  readonly taskId: string;
  readonly state: string;
  readonly tryNumber: number;
  readonly error: string | null;
  readonly output: unknown;
}

/** One line of a quarantine file. */
export interface Reject {
  readonly source: string;
  readonly line: number;
  readonly text: string;
  readonly reason: string;
  readonly detail: string | null;
}

/**
 * A fresh STREAMPRO_HOME (and TMPDIR, so DuckDB caches and work folders of the child stay inside it)
 * for one test or one describe; `cleanup` removes it all.
 */
export class PipelineSandbox {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'streampro-e2e-'));
  readonly home = path.join(this.root, 'home');
  readonly lake = path.join(this.home, 'lake');
  readonly tmp = path.join(this.root, 'tmp');

  constructor(private readonly extraEnv: Readonly<Record<string, string>> = {}) {
    fs.mkdirSync(this.tmp);
  }

  env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    // A developer's own lake, data folder, salt or AWS settings must not leak into the runs.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !/^(STREAMPRO_|AWS_)/.test(name) && name !== 'NO_COLOR' && name !== 'FORCE_COLOR',
      ),
    );
    return { ...inherited, STREAMPRO_HOME: this.home, TMPDIR: this.tmp, ...this.extraEnv, ...extra };
  }

  /** Spawns the built CLI from the repository root and waits for it to exit. */
  dag(args: readonly string[], extra: Readonly<Record<string, string>> = {}): Promise<Result> {
    return spawnAndCollect(process.execPath, [BIN, ...args], this.env(extra));
  }

  async status(dagId: string, date: string): Promise<RunStatus> {
    const r = await this.dag(['status', dagId, '--date', date, '--json']);
    if (r.code !== 0) throw new Error(`dag status ${dagId} ${date} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as RunStatus;
  }

  lakePath(key: string): string {
    return path.join(this.lake, ...key.split('/'));
  }

  /** A data folder of its own holding the sample's landing files of `date` for `datasets` (no manifests). */
  copySampleDay(date: string, datasets: readonly Dataset[] = DATASETS): string {
    const dir = path.join(this.root, 'landing-data');
    fs.mkdirSync(dir, { recursive: true });
    for (const dataset of datasets) {
      fs.copyFileSync(
        path.join(DATA, landingFile(dataset, date)),
        path.join(dir, landingFile(dataset, date)),
      );
    }
    return dir;
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export function spawnAndCollect(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Result> {
  const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function task(run: RunStatus, taskId: string): TaskStatus {
  const found = run.tasks.find((t) => t.taskId === taskId);
  if (!found) throw new Error(`run ${run.runId} has no task ${taskId}: ${run.tasks.map((t) => t.taskId)}`);
  return found;
}

/** The `toParquet` output a `<ds>.trusted` task stored. */
export function trustedOutput(run: RunStatus, dataset: Dataset): ToParquetOutput {
  const output = task(run, `${dataset}.trusted`).output;
  if (typeof output !== 'object' || output === null || !('rowsRead' in output)) {
    throw new Error(`${dataset}.trusted has no toParquet output: ${JSON.stringify(output)}`);
  }
  return output as ToParquetOutput;
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Every file under `dir`, recursively, as absolute paths. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
