import { EXIT } from '../errors.js';
import { colorEnabled, type Io } from '../io.js';
import type { RunsArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { dateLabel } from '../parse/dates.js';
import { positiveInt } from '../parse/params.js';
import { palette, stateColor } from '../render/colors.js';
import { formatDuration, renderTable } from '../render/table.js';
import { withSession } from '../session.js';

export async function execute(args: RunsArgs, io: Io): Promise<number> {
  const limit = positiveInt('limit', args.limit);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    const runs = await (await s.engine()).listRuns(dag.id, {
      ...(args.state ? { state: args.state } : {}),
      ...(limit ? { limit } : {}),
    });
    if (args.json) {
      printJson(
        io,
        runs.map((r) => ({
          dagId: r.dagId,
          runId: r.runId,
          logicalDate: dateLabel(r.logicalDate),
          runType: r.runType,
          state: r.state,
          startedAt: r.startedAt,
          endedAt: r.endedAt,
        })),
      );
      return EXIT.ok;
    }
    const p = palette(colorEnabled(io, io.stdout));
    const rows = runs.map((r) => [
      dateLabel(r.logicalDate) ?? r.logicalDate,
      r.runId,
      r.runType,
      stateColor(p, r.state)(r.state),
      r.startedAt ?? '-',
      formatDuration(r.startedAt && r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : null),
    ]);
    println(
      io,
      rows.length ? renderTable(['date', 'run', 'type', 'state', 'started', 'duration'], rows) : 'no runs',
    );
    return EXIT.ok;
  });
}
