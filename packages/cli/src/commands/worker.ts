import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_QUEUE,
  ID_RULE,
  isValidId,
  openQueueDatabase,
  openRunStore,
  PostgresRunStore,
  type WorkerEvent,
  WorkerService,
} from '@streampro/engine';
import { processPool, workerTtlMs } from '../config/executor.js';
import { stateLocation } from '../config/state.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { WorkerArgs } from '../options.js';
import { eprintln } from '../output.js';
import { withSession } from '../session.js';

/**
 * `dag worker`: takes tries from the queue on the state's PostgreSQL and runs each in an isolated process
 * of this machine; it needs the DAG files (the folder, as the scheduler sees it) and the database. SIGTERM:
 * no new tries, running ones get `--grace` ms, the rest are handed back; exit 0.
 */
export async function execute(args: WorkerArgs, io: Io): Promise<number> {
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) {
    throw new UsageError(`--concurrency must be a whole number of at least 1, got ${args.concurrency}`);
  }
  if (!Number.isInteger(args.grace) || args.grace < 0) {
    throw new UsageError(`--grace must be a non-negative whole number of milliseconds, got ${args.grace}`);
  }
  const queues = queuesOf(args.queue);
  return withSession(args, io, async (s) => {
    const state = stateLocation(s.locations.home, undefined, io.env);
    if (!state.server) {
      throw new UsageError(
        'dag worker needs the state on PostgreSQL: set STREAMPRO_DATABASE_URL (the schedulers use the same)',
      );
    }
    const store = await openRunStore(state.location);
    if (!(store instanceof PostgresRunStore))
      throw new UsageError('dag worker needs a PostgreSQL state database');
    for (const b of s.loaded.broken) eprintln(io, `dag worker: broken DAG file ${b.path}: ${b.error}`);
    const logFile = path.join(s.locations.home, 'logs', 'worker.log');
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    // graphile-worker takes concurrency + 3 connections (jobs, its pool, a LISTEN); this process needs its own
    // LISTEN and room for reports, heartbeats and fence checks without waiting behind graphile-worker.
    const db = await openQueueDatabase(store, 2 * args.concurrency + 8);
    let service: WorkerService | undefined;
    const log = (event: WorkerEvent): void => {
      const line = { timestamp: new Date().toISOString(), workerId: service?.workerId, ...event };
      fs.appendFileSync(logFile, `${JSON.stringify(line)}\n`);
      eprintln(io, `dag worker: ${describe(event)}`);
    };
    const executor = processPool({ ...io.env, STREAMPRO_WORKERS: String(args.concurrency) });
    // Start the try processes and import the DAG files now, so the first tries do not wait for that.
    for (const file of new Set(s.loaded.files.values())) void executor.prepare?.(file, args.concurrency);
    service = new WorkerService({
      db,
      executor,
      concurrency: args.concurrency,
      queues,
      ttlMs: workerTtlMs(io.env),
      onEvent: log,
      logs: {
        dir: path.join(s.locations.home, 'logs'),
        ship: (key, offset, text) => store.appendTryLog(key, offset, text),
      },
    });
    try {
      await service.start();
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await service.stop(args.grace);
    } finally {
      await db.pool.end().catch(() => {});
      await store.close();
    }
    return EXIT.ok;
  });
}

function describe(e: WorkerEvent): string {
  switch (e.type) {
    case 'started':
      return `started as ${e.workerId}, ${e.concurrency} at a time, queue(s) ${e.queues.join(', ')}`;
    case 'try-started':
      return `running ${e.jobKey}`;
    case 'try-finished':
      return `${e.jobKey} ${e.outcome}`;
    case 'try-cancelled':
      return `stopped ${e.jobKey}: ${e.reason}`;
    case 'error':
      return `error: ${e.message}`;
    case 'draining':
      return `stopping: ${e.running} try(s) running get ${e.graceMs} ms to finish`;
    case 'stopped':
      return `stopped; ${e.handedBack} try(s) handed back`;
  }
}

/** The `--queue` names (the default queue when none), each a valid id. */
function queuesOf(given: readonly string[] | undefined): string[] {
  const queues = [...new Set(given && given.length > 0 ? given : [DEFAULT_QUEUE])];
  for (const q of queues) {
    if (!isValidId(q)) throw new UsageError(`--queue '${q}' is not a queue name: ${ID_RULE}`);
  }
  return queues;
}
