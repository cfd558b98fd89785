import { EXIT } from '../errors.js';
import { colorEnabled, type Io } from '../io.js';
import type { TestArgs } from '../options.js';
import { eprintln, println } from '../output.js';
import { checkScheduledDate, parseDateFlag } from '../parse/dates.js';
import { parseParamFlags } from '../parse/params.js';
import { palette } from '../render/colors.js';
import { formatLogLine } from '../render/log-format.js';
import { formatDuration } from '../render/table.js';
import { withSession } from '../session.js';

/** Runs one task once without retries or recorded state, for developing a task. */
export async function execute(args: TestArgs, io: Io): Promise<number> {
  const logicalDate = parseDateFlag('date', args.date);
  const paramFlags = parseParamFlags(args.param);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    checkScheduledDate(dag, 'date', logicalDate, args.date);
    const taskId = s.instance(dag, args.task);
    const params = s.params(dag, paramFlags);
    const p = palette(colorEnabled(io, io.stdout));
    const result = await (await s.engine()).testTask(dag, taskId, {
      logicalDate,
      params,
      signal: io.signal,
      onLog: (line) => println(io, formatLogLine(line, p)),
    });
    const took = formatDuration(result.durationMs);
    switch (result.kind) {
      case 'success':
        println(io, `${p.green('success')} in ${took}`);
        if (result.output !== undefined) println(io, `output: ${JSON.stringify(result.output, null, 2)}`);
        return EXIT.ok;
      case 'skipped':
        println(io, `${p.yellow('skipped')} in ${took}: ${result.reason}`);
        return EXIT.ok;
      case 'failed':
        eprintln(io, `${p.red('failed')} in ${took}: ${result.error.name}: ${result.error.message}`);
        return io.signal.aborted ? EXIT.interrupted : EXIT.failed;
    }
  });
}
