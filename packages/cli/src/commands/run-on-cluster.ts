import { setTimeout as sleep } from 'node:timers/promises';
import { type Dag, type Engine, isFinalRunState, type RunSummary } from '@streampro/engine';
import { UsageError } from '../errors.js';
import { colorEnabled, type Io } from '../io.js';
import type { RunArgs } from '../options.js';
import { eprintln } from '../output.js';
import { liveViewFor } from '../render/choose-view.js';
import { palette } from '../render/colors.js';
import { followRun } from '../render/follow-run.js';
import type { Session } from '../session.js';

/** A scheduler whose heartbeat is older than this is not counted as running. */
const SCHEDULER_SILENT_MS = 60_000;

/** What `dag run` on a cluster followed: the run, and the asset-triggered runs the scheduler made of it. */
export interface ClusterRun {
  readonly runs: readonly (RunSummary & { readonly alreadyDone: boolean })[];
  readonly interrupted: boolean;
}

/**
 * `dag run` when a cluster is configured (`STREAMPRO_EXECUTOR=workers`): the run goes to the schedulers
 * (created, or queued again: its failed tasks, every task with `--force`), and this process follows it as
 * `dag trigger --wait` does, then the runs its assets trigger. Ctrl-C stops following; the run goes on.
 */
export async function runOnCluster(
  args: RunArgs,
  io: Io,
  s: Session,
  dag: Dag,
  logicalDate: string,
  params: Readonly<Record<string, string>>,
): Promise<ClusterRun> {
  if (args.task) {
    throw new UsageError(
      '--task runs part of a run in this process, which a cluster does not: add --local (tries then run here)',
    );
  }
  const engine = await s.engine();
  await requireScheduler(engine);
  const existing = await engine.status(dag, logicalDate);
  if (existing?.state === 'success' && !args.force) {
    return { runs: [{ ...existing, alreadyDone: true }], interrupted: false };
  }
  if (!existing) {
    const { run } = await engine.trigger(dag, { logicalDate, params });
    eprintln(
      io,
      `queued ${dag.id} ${run.runId} for the schedulers; following it (Ctrl-C stops following only)`,
    );
  } else if (isFinalRunState(existing.state)) {
    if (Object.keys(params).length > 0)
      eprintln(io, `--param applies to new runs: ${existing.runId} keeps its params`);
    await engine.requeueRun(dag, existing.runId, {
      endedBefore: new Date(Date.now() + 1).toISOString(),
      onlyFailed: !args.force,
    });
    eprintln(io, `queued ${dag.id} ${existing.runId} again for the schedulers; following it`);
  } else {
    eprintln(io, `${dag.id} ${existing.runId} is ${existing.state} on the cluster; following it`);
  }
  const p = palette(colorEnabled(io, io.stderr));
  const view = liveViewFor(io, p, args.quiet);
  try {
    const done = await followRun(engine, dag, logicalDate, view, io.signal);
    if (!done) return { runs: [], interrupted: true };
    const runs = [{ ...done, alreadyDone: false }];
    if (done.state === 'success' && args.downstream) {
      for (const consumer of await consumersDue(engine, s, dag, logicalDate)) {
        const followed = await followConsumer(
          engine,
          consumer,
          logicalDate,
          done.endedAt ?? '',
          view,
          io.signal,
        );
        if (!followed) return { runs, interrupted: true };
        runs.push({ ...followed, alreadyDone: false });
      }
    }
    return { runs, interrupted: false };
  } finally {
    view.stop();
  }
}

async function requireScheduler(engine: Engine): Promise<void> {
  const now = Date.now();
  const alive = (await engine.store.listSchedulers()).filter(
    (r) => r.state === 'running' && now - Date.parse(r.heartbeatAt) < SCHEDULER_SILENT_MS,
  );
  if (alive.length === 0) {
    throw new UsageError(
      'no dag scheduler is running on this store to take the run (STREAMPRO_EXECUTOR=workers): start one, or pass --local to execute it in this process',
    );
  }
}

/** Unpaused DAGs scheduled on assets of `producer` whose every asset has an event for the date. */
async function consumersDue(engine: Engine, s: Session, producer: Dag, logicalDate: string): Promise<Dag[]> {
  const outlets = new Set(producer.outlets);
  const paused = new Set((await engine.store.listDagStates()).filter((d) => d.paused).map((d) => d.dagId));
  const due: Dag[] = [];
  for (const dag of s.registry.all()) {
    const schedule = dag.parsedSchedule;
    if (dag.id === producer.id || schedule.kind !== 'assets' || paused.has(dag.id)) continue;
    if (!schedule.assets.some((a) => outlets.has(a))) continue;
    let complete = true;
    for (const asset of schedule.assets) {
      if ((await engine.store.listAssetEvents(asset, logicalDate)).length === 0) complete = false;
    }
    if (complete) due.push(dag);
  }
  return due;
}

/** Waits for the scheduler's run of `dag` made after `after` (a new one, or one queued again), then follows it. */
async function followConsumer(
  engine: Engine,
  dag: Dag,
  logicalDate: string,
  after: string,
  view: Parameters<typeof followRun>[3],
  signal: AbortSignal,
): Promise<RunSummary | undefined> {
  while (!signal.aborted) {
    const run = await engine.status(dag, logicalDate);
    if (run && (!isFinalRunState(run.state) || (run.endedAt ?? '') > after)) {
      return followRun(engine, dag, logicalDate, view, signal);
    }
    await sleep(250, undefined, { signal }).catch(() => undefined);
  }
  return undefined;
}
