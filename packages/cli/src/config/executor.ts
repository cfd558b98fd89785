import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Executor, ProcessPoolExecutor } from '@streampro/engine';
import { UsageError } from '../errors.js';
import { cliPackageRoot } from '../package-root.js';

/**
 * Worker processes import DAG files as this process does: bundled JavaScript from the home's cache, tsx
 * only for a file that cannot be bundled (registered then), so a worker starts without a loader.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const DAG_IMPORTER = pathToFileURL(
  FROM_SOURCE
    ? path.join(cliPackageRoot(), 'src', 'discovery', 'worker-importer.ts')
    : path.join(cliPackageRoot(), 'dist', 'discovery', 'worker-importer.js'),
).href;
/** Run from source (tests), the importer itself is TypeScript. */
const WORKER_EXEC_ARGV = FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [];

/**
 * Where tries run: `processes` (default, a local pool), `in-process` (inside the `dag` process: no
 * isolation, no enforced timeouts; for a debugger and for benchmarks), or `workers`: `dag worker` processes
 * on any machine, fed through graphile-worker on the state's PostgreSQL (`STREAMPRO_DATABASE_URL`).
 */
export function executorKind(env: NodeJS.ProcessEnv): 'processes' | 'in-process' | 'workers' {
  const value = env.STREAMPRO_EXECUTOR;
  if (value === undefined || value === '' || value === 'processes') return 'processes';
  if (value === 'in-process' || value === 'workers') return value;
  throw new UsageError(
    `STREAMPRO_EXECUTOR must be 'processes', 'in-process' or 'workers', got ${JSON.stringify(value)}`,
  );
}

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/**
 * The least severe level tries' loggers write: `STREAMPRO_LOG_LEVEL` (error, warn, info or debug; default
 * debug, everything). What a task prints on stdout or stderr is always kept.
 */
export function logLevel(env: NodeJS.ProcessEnv): (typeof LOG_LEVELS)[number] {
  const value = env.STREAMPRO_LOG_LEVEL;
  if (value === undefined || value === '') return 'debug';
  const level = LOG_LEVELS.find((l) => l === value.toLowerCase());
  if (!level) {
    throw new UsageError(
      `STREAMPRO_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return level;
}

/** How long a silent `dag worker` keeps its tries: `STREAMPRO_WORKER_TTL_MS`, default 10 s. */
export function workerTtlMs(env: NodeJS.ProcessEnv): number {
  const ttl = positiveInt(env, 'STREAMPRO_WORKER_TTL_MS') ?? 10_000;
  if (ttl < 1000) throw new UsageError(`STREAMPRO_WORKER_TTL_MS must be at least 1000, got ${ttl}`);
  return ttl;
}

/** Shortest lease accepted: the heartbeat renews every second, and workers need several pings per half TTL. */
const MIN_LEASE_TTL_MS = 3000;

/** How long a run's lease lasts without a heartbeat: `STREAMPRO_LEASE_TTL_MS`, default 30 s. */
export function leaseTtlMs(env: NodeJS.ProcessEnv): number {
  const ttl = positiveInt(env, 'STREAMPRO_LEASE_TTL_MS') ?? 30_000;
  if (ttl < MIN_LEASE_TTL_MS) {
    throw new UsageError(
      `STREAMPRO_LEASE_TTL_MS must be at least ${MIN_LEASE_TTL_MS} (a heartbeat renews the lease every second), got ${ttl}`,
    );
  }
  return ttl;
}

/**
 * The executor of `dag run` and `dag backfill`: a pool of worker processes, each try isolated, timeouts
 * enforced by killing the process. `STREAMPRO_WORKERS` sets its size (default: the CPU count) and
 * `STREAMPRO_KILL_GRACE_MS` how long a stopped try gets before SIGKILL (default 5000). A worker stops its
 * body when this process has been silent for half the lease TTL, before any other process can take over.
 */
export function processPool(env: NodeJS.ProcessEnv): Executor {
  const size = positiveInt(env, 'STREAMPRO_WORKERS');
  const graceMs = positiveInt(env, 'STREAMPRO_KILL_GRACE_MS');
  return new ProcessPoolExecutor({
    ...(size === undefined ? {} : { size }),
    ...(graceMs === undefined ? {} : { graceMs }),
    ownerSilenceMs: Math.floor(leaseTtlMs(env) / 2),
    logLevel: logLevel(env),
    execArgv: WORKER_EXEC_ARGV,
    dagImporter: DAG_IMPORTER,
    env,
  });
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`${name} must be a whole number of at least 1, got ${JSON.stringify(raw)}`);
  }
  return n;
}
