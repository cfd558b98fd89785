import { EXIT } from '../errors.js';
import { colorEnabled, type Io, terminalWidth } from '../io.js';
import type { StatusArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { checkScheduledDate, parseDateFlag } from '../parse/dates.js';
import { palette } from '../render/colors.js';
import { runJson } from '../render/run-json.js';
import { renderRunSummary } from '../render/run-summary.js';
import { withSession } from '../session.js';

/**
 * A date without a run exits 1 with a message on stderr (and, with --json, `{"dagId", "logicalDate",
 * "state": null}` on stdout so scripts can still parse it).
 */
export async function execute(args: StatusArgs, io: Io): Promise<number> {
  const date = parseDateFlag('date', args.date);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    checkScheduledDate(dag, 'date', date, args.date);
    const run = await (await s.engine()).status(dag, date);
    if (!run) {
      if (args.json) printJson(io, { dagId: dag.id, logicalDate: args.date, state: null });
      io.stderr.write(
        `dag: no run of ${dag.id} for ${args.date}; start one with: dag run ${dag.id} --date ${args.date}\n`,
      );
      return EXIT.failed;
    }
    if (args.json) printJson(io, runJson(run));
    else println(io, renderRunSummary(run, palette(colorEnabled(io, io.stdout)), io.cwd, terminalWidth(io)));
    return EXIT.ok;
  });
}
