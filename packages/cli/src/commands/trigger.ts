import { EXIT } from '../errors.js';
import type { Io } from '../io.js';
import type { TriggerArgs } from '../options.js';
import { eprintln, println } from '../output.js';
import { checkScheduledDate, parseDateFlag } from '../parse/dates.js';
import { parseParamFlags } from '../parse/params.js';
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
    println(io, `queued ${dag.id} ${run.runId} (logical date ${run.logicalDate}) for the scheduler`);
    if (paused) eprintln(io, `${dag.id} is paused: the run waits until dag unpause ${dag.id}`);
    return EXIT.ok;
  });
}
