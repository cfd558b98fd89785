import fs from 'node:fs';
import path from 'node:path';
import { type SchedulerEvent, SchedulerService } from '@streampro/engine';
import { dagTypeErrors, requireNoTypeErrors } from '../check/strict.js';
import { dagFolderSignature } from '../discovery/load-dags.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { SchedulerArgs } from '../options.js';
import { eprintln, printJson, println } from '../output.js';
import { dateLabel } from '../parse/dates.js';
import { renderTable } from '../render/table.js';
import { type Session, withSession } from '../session.js';

/** A scheduler whose heartbeat is older than this is reported gone (it was killed or lost its store). */
const SILENT_AFTER_INTERVALS = 3;

export async function execute(args: SchedulerArgs, io: Io): Promise<number> {
  if (!Number.isInteger(args.interval) || args.interval < 10) {
    throw new UsageError(
      `--interval must be a whole number of milliseconds of at least 10, got ${args.interval}`,
    );
  }
  if (!Number.isInteger(args.grace) || args.grace < 0) {
    throw new UsageError(`--grace must be a non-negative whole number of milliseconds, got ${args.grace}`);
  }
  return args.action === 'status' ? status(args, io) : run(args, io);
}

/** Runs until SIGTERM / Ctrl-C, then lets running runs finish for `--grace` ms, hands the rest back, exits 0. */
async function run(args: SchedulerArgs, io: Io): Promise<number> {
  return withSession(args, io, async (s) => {
    const engine = await s.engine();
    const logFile = path.join(s.locations.home, 'logs', 'scheduler.log');
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    for (const b of s.loaded.broken) eprintln(io, `dag scheduler: broken DAG file ${b.path}: ${b.error}`);
    if (args.strict) await requireNoTypeErrors(s, io, 'dag scheduler');
    else {
      // Without --strict, type errors of a project with its own TypeScript are worth a warning, not a stop:
      // looked for beside the scheduling.
      void dagTypeErrors(s, io, true)
        .then((problems) => {
          for (const p of problems)
            eprintln(io, `dag scheduler: warning: type error ${p.file}:${p.line}: ${p.message}`);
        })
        .catch(() => {});
    }
    let service: SchedulerService | undefined;
    const log = (event: SchedulerEvent): void => {
      const line = { timestamp: new Date().toISOString(), schedulerId: service?.schedulerId, ...event };
      fs.appendFileSync(logFile, `${JSON.stringify(line)}\n`);
      if (event.type !== 'run-held') eprintln(io, `dag scheduler: ${describe(event)}`);
    };
    service = new SchedulerService({
      engine,
      dags: () => [...s.loaded.dags.values()],
      intervalMs: args.interval,
      onEvent: log,
    });
    const stopWatching = watchDagFiles(s, Math.max(args.interval, 1000), (message) => {
      fs.appendFileSync(
        logFile,
        `${JSON.stringify({ timestamp: new Date().toISOString(), type: 'dags', message })}\n`,
      );
      eprintln(io, `dag scheduler: ${message}`);
    });
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
      service.start();
    });
    stopWatching();
    await service.stop(args.grace);
    return EXIT.ok;
  });
}

/**
 * Re-reads the DAG folder when a file is added, removed or edited (checked every `everyMs`): the next pass
 * schedules the new DAGs; a file that no longer loads is reported and its DAGs leave the schedule, the
 * others go on. Returns a function that stops watching.
 */
function watchDagFiles(s: Session, everyMs: number, report: (message: string) => void): () => void {
  let signature = dagFolderSignature(s.locations.dagsFolder);
  let reloading = false;
  const timer = setInterval(() => {
    const now = dagFolderSignature(s.locations.dagsFolder);
    if (now === signature || reloading) return;
    signature = now;
    reloading = true;
    s.reloadDags()
      .then((loaded) => {
        const ids = [...loaded.dags.keys()].join(', ') || 'none';
        report(`DAG files changed: ${loaded.dags.size} DAG(s) loaded (${ids})`);
        for (const b of loaded.broken) report(`broken DAG file ${b.path}: ${b.error}`);
      })
      .catch((error: Error) => report(`DAG files changed but could not be read: ${error.message}`))
      .finally(() => {
        reloading = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

function describe(e: SchedulerEvent): string {
  switch (e.type) {
    case 'asset-run':
      return `${e.requeued ? 're-queued' : 'created'} ${e.dagId} ${e.runId} (assets updated)`;
    case 'backfill-date':
      return `backfill ${e.backfillId}: ${e.action} ${e.dagId} ${dateLabel(e.logicalDate)}`;
    case 'backfill-completed':
      return `backfill ${e.backfillId} of ${e.dagId} ${e.state === 'done' ? 'done' : `${e.state}, nothing left running`}`;
    case 'started':
      return `started as ${e.schedulerId}`;
    case 'run-created':
      return `created ${e.dagId} ${e.runId}`;
    case 'run-started':
      return `executing ${e.dagId} ${e.runId}`;
    case 'run-finished':
      return `${e.dagId} ${e.runId} ${e.state}`;
    case 'run-held':
      return `${e.dagId} ${e.runId} is executed by ${e.owner}`;
    case 'error':
      return `error${e.dagId ? ` (${e.dagId}${e.runId ? ` ${e.runId}` : ''})` : ''}: ${e.message}`;
    case 'stopping':
      return `stopping: ${e.runs} run(s) executing get ${e.graceMs} ms to finish`;
    case 'stopped':
      return `stopped; ${e.handedBack} unfinished run(s) handed back`;
  }
}

async function status(args: SchedulerArgs, io: Io): Promise<number> {
  return withSession(args, io, async (s) => {
    const schedulers = s.stateExists() ? await (await s.engine()).store.listSchedulers() : [];
    const now = Date.now();
    const rows = schedulers.map((r) => {
      const silentMs = now - Date.parse(r.heartbeatAt);
      const alive = r.state === 'running' && silentMs <= SILENT_AFTER_INTERVALS * args.interval;
      return { ...r, alive };
    });
    if (args.json) {
      printJson(io, { schedulers: rows });
      return EXIT.ok;
    }
    if (rows.length === 0) {
      println(io, 'no scheduler has run on this state');
      return EXIT.ok;
    }
    println(
      io,
      renderTable(
        ['scheduler', 'state', 'started', 'last heartbeat', 'last scheduled'],
        rows.map((r) => [
          r.schedulerId,
          r.alive ? 'alive' : r.state === 'stopped' ? 'stopped' : 'gone',
          r.startedAt,
          r.heartbeatAt,
          r.lastScheduledAt ?? '-',
        ]),
      ),
    );
    return EXIT.ok;
  });
}
