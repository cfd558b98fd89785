import { EXIT } from '../errors.js';
import { colorEnabled, type Io, terminalWidth } from '../io.js';
import type { TriggerArgs } from '../options.js';
import { eprintln, printJson, println } from '../output.js';
import { checkScheduledDate, parseDateFlag } from '../parse/dates.js';
import { parseParamFlags } from '../parse/params.js';
import { liveViewFor } from '../render/choose-view.js';
import { palette } from '../render/colors.js';
import { followRun } from '../render/follow-run.js';
import { runJson } from '../render/run-json.js';
import { renderRunSummary } from '../render/run-summary.js';
import { withSession } from '../session.js';
import { scheduledInstantAtOrBefore } from './trigger-date.js';

/** Records a queued manual run for the scheduler; `dag run` is the one that executes in the foreground. */
export async function execute(args: TriggerArgs, io: Io): Promise<number> {
  const given = args.date === undefined ? undefined : parseDateFlag('date', args.date);
  const paramFlags = parseParamFlags(args.param);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    const logicalDate = given ?? scheduledInstantAtOrBefore(dag, new Date());
    if (given) checkScheduledDate(dag, 'date', given, args.date!);
    const params = s.params(dag, paramFlags);
    const engine = await s.engine();
    const { run, created } = await engine.trigger(dag, { logicalDate, params });
    if (!created) {
      eprintln(
        io,
        `${dag.id} already has run ${run.runId} for ${run.logicalDate} (${run.state}); nothing queued`,
      );
      return EXIT.failed;
    }
    const paused = (await engine.store.listDagStates()).find((d) => d.dagId === dag.id)?.paused;
    const queued = `queued ${dag.id} ${run.runId} (logical date ${run.logicalDate}) for the scheduler`;
    if (args.wait) eprintln(io, queued);
    else if (args.json) printJson(io, run);
    else println(io, queued);
    if (paused) eprintln(io, `${dag.id} is paused: the run waits until dag unpause ${dag.id}`);
    if (!args.wait) return EXIT.ok;
    const p = palette(colorEnabled(io, io.stderr));
    const view = liveViewFor(io, p, args.quiet);
    const done = await followRun(engine, dag, run.logicalDate, view, io.signal).finally(() => view.stop());
    // Ctrl-C stops following; the run stays with the scheduler.
    if (!done) return EXIT.interrupted;
    if (args.json) printJson(io, runJson(done));
    else println(io, renderRunSummary(done, palette(colorEnabled(io, io.stdout)), io.cwd, terminalWidth(io)));
    return done.state === 'success' ? EXIT.ok : EXIT.failed;
  });
}
