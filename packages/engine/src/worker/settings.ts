import type { LogLevel } from '../logging/logger.js';

/** Settings the pool passes to each worker process through its environment. */
export interface WorkerSettings {
  /** After this long without a ping from its owner, a worker stops the running body. */
  readonly ownerSilenceMs: number;
  /** How long a stopped body may take to settle before the worker exits anyway. */
  readonly graceMs: number;
  /** The least severe level a try's logger writes. */
  readonly logLevel: LogLevel;
  /** URL of the module DAG files are imported with (see `DagModuleImporter`); unset: plain `import()`. */
  readonly dagImporter?: string | undefined;
}

export const WORKER_SETTINGS_VARIABLE = 'STREAMPRO_WORKER_SETTINGS';

export function workerSettingsEnv(settings: WorkerSettings): Record<string, string> {
  return { [WORKER_SETTINGS_VARIABLE]: JSON.stringify(settings) };
}

export function parseWorkerSettings(env: NodeJS.ProcessEnv): WorkerSettings {
  const raw = env[WORKER_SETTINGS_VARIABLE];
  const parsed = raw ? (JSON.parse(raw) as Partial<WorkerSettings>) : {};
  return {
    ownerSilenceMs: parsed.ownerSilenceMs ?? 15_000,
    graceMs: parsed.graceMs ?? 5_000,
    logLevel: parsed.logLevel ?? 'debug',
    dagImporter: parsed.dagImporter,
  };
}
