import { assertScheduledLogicalDate, type Dag, InvalidInputError, parseLogicalDate } from '@streampro/engine';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { TasksArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { withSession } from '../session.js';

/** `dag tasks state set`: an operator's mark, applied by the engine under the run's lease. */
export async function execute(args: TasksArgs, io: Io): Promise<number> {
  const date = usage(() => parseLogicalDate(args.date, 'date'));
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    checkDate(dag, date, args.date);
    const task = s.task(dag, args.task);
    const engine = await s.engine();
    const result = await engine.setTaskState(dag, date, task.id, args.state);
    if (args.json) {
      printJson(io, result);
      return EXIT.ok;
    }
    if (result.previousState === result.state) {
      println(io, `${task.id} of ${dag.id} ${args.date} is already ${result.state}; nothing changed`);
      return EXIT.ok;
    }
    println(
      io,
      `${task.id} of ${dag.id} ${args.date} (${result.runId}): ${result.previousState} -> ${result.state}; continue the run with: dag run ${dag.id} --date ${args.date}`,
    );
    return EXIT.ok;
  });
}

/** The date is a positional argument here: its messages name it `date`, not `--date`. */
function checkDate(dag: Dag, date: Date, text: string): void {
  usage(() => assertScheduledLogicalDate(dag, date, { what: 'date', text }));
}

function usage<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    throw error;
  }
}
