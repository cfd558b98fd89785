import type { BackfillDateResult, BackfillPlan } from '@streampro/engine';
import { EXIT, UsageError } from '../errors.js';
import { colorEnabled, type Io } from '../io.js';
import { BACKFILL_ACTIONS, type BackfillArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { dateLabel, parseDateRange } from '../parse/dates.js';
import { parseParamFlags, positiveInt } from '../parse/params.js';
import { palette, stateColor } from '../render/colors.js';
import { progressBar, progressLines, quietProgress } from '../render/progress.js';
import { formatDuration, renderTable } from '../render/table.js';
import { withSession } from '../session.js';
import { isAction, manage, queue } from './backfill-records.js';

export async function execute(args: BackfillArgs, io: Io): Promise<number> {
  if (isAction(args.dag)) return manage(args.dag, args, io);
  if (args.start === undefined || args.end === undefined) {
    throw new UsageError(
      `dag backfill ${args.dag} needs --start and --end (or an action: ${BACKFILL_ACTIONS.join(', ')})`,
    );
  }
  if (args.markSuccess && args.queue) {
    throw new UsageError(
      '--mark-success marks the runs here, without the scheduler; drop --queue (or --mark-success)',
    );
  }
  const { start, end } = parseDateRange(args.start, args.end);
  const maxActiveRuns = positiveInt('max-active-runs', args.maxActiveRuns);
  const paramFlags = parseParamFlags(args.param);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    const params = s.params(dag, paramFlags);
    const engine = await s.engine();
    const options = {
      start,
      end,
      reprocess: args.reprocess,
      backwards: args.backwards,
      params,
      ...(maxActiveRuns === undefined ? {} : { maxActiveRuns }),
    };
    const plan = await engine.planBackfill(dag, options);
    if (args.dryRun) {
      if (args.json) {
        printJson(io, {
          ...plan,
          entries: plan.entries.map((e) => ({ ...e, logicalDate: dateLabel(e.logicalDate) })),
        });
      } else println(io, renderPlan(plan));
      return EXIT.ok;
    }
    if (args.queue) return queue(dag, options, args, io, engine);
    const toRun = plan.entries.filter((e) => e.action !== 'skip').length;
    const total = plan.entries.length;
    const p = palette(colorEnabled(io, io.stderr));
    const progress = args.quiet
      ? quietProgress
      : io.stderr.isTTY
        ? progressBar(toRun, io.stderr)
        : progressLines(total, io.stderr, p);
    if (!io.stderr.isTTY && !args.quiet)
      io.stderr.write(`backfill ${dag.id}: ${total} dates, ${toRun} to run\n`);
    const result = await engine
      .backfill(dag, {
        ...options,
        signal: io.signal,
        ...(args.markSuccess ? { markSuccess: true } : {}),
        onRunDone: (r) => progress.onRunDone(r),
        ...(args.downstream ? { registry: s.registry } : {}),
      })
      .finally(() => progress.stop());
    if (args.json) {
      const results = result.results.map((r) => ({ ...r, logicalDate: dateLabel(r.logicalDate) }));
      printJson(io, { ...result, results });
    } else {
      println(io, renderResults(result.results, palette(colorEnabled(io, io.stdout))));
      const stopped = [
        ...(result.interrupted > 0 ? [`${result.interrupted} interrupted (resumable)`] : []),
        ...(result.notStarted > 0 ? [`${result.notStarted} not started`] : []),
      ];
      println(
        io,
        `${result.succeeded} succeeded, ${result.failed} failed, ${result.skipped} skipped${stopped.map((t) => `, ${t}`).join('')}`,
      );
    }
    if (io.signal.aborted) return EXIT.interrupted;
    return result.failed > 0 ? EXIT.failed : EXIT.ok;
  });
}

export function renderPlan(plan: BackfillPlan): string {
  const rows = plan.entries.map((e) => [
    dateLabel(e.logicalDate) ?? e.logicalDate,
    e.action,
    e.existingState ?? '-',
    e.reason,
  ]);
  const counts = new Map<string, number>();
  for (const e of plan.entries) counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
  const totals = [...counts].map(([a, n]) => `${n} ${a}`).join(', ');
  return `${renderTable(['date', 'action', 'existing', 'reason'], rows)}\n${plan.dagId}: ${plan.entries.length} dates (${totals || 'nothing to do'})`;
}

function renderResults(results: readonly BackfillDateResult[], p: ReturnType<typeof palette>): string {
  const sorted = [...results].sort((a, b) => a.logicalDate.localeCompare(b.logicalDate));
  const rows = sorted.map((r) => [
    dateLabel(r.logicalDate) ?? r.logicalDate,
    r.action,
    stateColor(p, r.state)(r.state),
    formatDuration(r.durationMs),
    r.runId ?? '-',
    r.error ?? '',
  ]);
  return renderTable(['date', 'action', 'state', 'duration', 'run', 'error'], rows);
}
