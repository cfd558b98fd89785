import type { BackfillOptions, BackfillRecord, Dag, Engine } from '@streampro/engine';
import { isFinalRunState } from '@streampro/engine';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { BACKFILL_ACTIONS, type BackfillArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { dateLabel } from '../parse/dates.js';
import { renderTable } from '../render/table.js';
import { withSession } from '../session.js';

type Action = (typeof BACKFILL_ACTIONS)[number];

export const isAction = (word: string): word is Action =>
  (BACKFILL_ACTIONS as readonly string[]).includes(word);

/** `dag backfill <dag> … --queue`: records the planned backfill; a running scheduler starts it at its next pass. */
export async function queue(
  dag: Dag,
  options: BackfillOptions,
  args: BackfillArgs,
  io: Io,
  engine: Engine,
): Promise<number> {
  const { backfill, plan } = await engine.queueBackfill(dag, options);
  const toRun = plan.entries.filter((e) => e.action !== 'skip').length;
  if (args.json) {
    printJson(io, backfill);
    return EXIT.ok;
  }
  println(
    io,
    `queued backfill ${backfill.id} of ${dag.id}: ${plan.entries.length} dates, ${toRun} to run, ${backfill.maxActiveRuns} at a time (dag scheduler executes it; see dag backfill list)`,
  );
  const paused = (await engine.store.listDagStates()).find((d) => d.dagId === dag.id)?.paused;
  if (paused) io.stderr.write(`${dag.id} is paused: its runs wait until dag unpause ${dag.id}\n`);
  return EXIT.ok;
}

/** `dag backfill list|pause|unpause|cancel [id]`. */
export async function manage(action: Action, args: BackfillArgs, io: Io): Promise<number> {
  if (action !== 'list' && (args.id === undefined || !Number.isInteger(args.id) || args.id < 1)) {
    throw new UsageError(`dag backfill ${action} needs the id of a backfill (see dag backfill list)`);
  }
  return withSession(args, io, async (s) => {
    if (action === 'list') {
      const engine = s.stateExists() ? await s.engine() : undefined;
      const rows = engine ? await progressOf(engine, await engine.store.listBackfills()) : [];
      if (args.json) printJson(io, rows);
      else if (rows.length === 0)
        println(io, 'no backfill recorded (queue one with dag backfill <dag> --queue)');
      else println(io, renderList(rows));
      return EXIT.ok;
    }
    const engine = await s.engine();
    const changed = await engine.changeBackfill(args.id!, action);
    if (args.json) printJson(io, changed);
    else {
      const what = { pause: 'paused', unpause: 'running again', cancel: 'cancelled' }[action];
      println(io, `backfill ${changed.id} of ${changed.dagId} ${what}`);
    }
    return EXIT.ok;
  });
}

interface BackfillRow extends BackfillRecord {
  /** Dates the backfill runs (not skipped), and how many of them have a finished run of each state. */
  readonly dates: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly active: number;
}

async function progressOf(engine: Engine, backfills: readonly BackfillRecord[]): Promise<BackfillRow[]> {
  const out: BackfillRow[] = [];
  for (const b of backfills) {
    const runs = new Map((await engine.store.listRuns(b.dagId)).map((r) => [r.logicalDate, r]));
    const dates = (await engine.store.listBackfillDates(b.id)).filter((d) => d.action !== 'skip');
    const states = dates.map((d) => (d.claimedAt === null ? undefined : runs.get(d.logicalDate)?.state));
    out.push({
      ...b,
      dates: dates.length,
      succeeded: states.filter((x) => x === 'success').length,
      failed: states.filter((x) => x === 'failed').length,
      active: states.filter((x) => x !== undefined && !isFinalRunState(x)).length,
    });
  }
  return out;
}

function renderList(rows: readonly BackfillRow[]): string {
  return renderTable(
    ['id', 'dag', 'from', 'to', 'state', 'done', 'failed', 'active', 'max', 'created'],
    rows.map((r) => [
      String(r.id),
      r.dagId,
      dateLabel(r.startDate) ?? r.startDate,
      dateLabel(r.endDate) ?? r.endDate,
      r.state,
      `${r.succeeded + r.failed}/${r.dates}`,
      String(r.failed),
      String(r.active),
      String(r.maxActiveRuns),
      r.createdAt.slice(0, 19).replace('T', ' '),
    ]),
  );
}
