import { describeSchedule } from '@streampro/engine';
import { EXIT } from '../errors.js';
import type { Io } from '../io.js';
import type { ListArgs } from '../options.js';
import { printJson, println } from '../output.js';
import { dateLabel } from '../parse/dates.js';
import { displayPath } from '../render/paths.js';
import { renderTable } from '../render/table.js';
import { withSession } from '../session.js';

export interface DagListEntry {
  readonly dagId: string;
  readonly description: string;
  readonly schedule: string;
  readonly tasks: number;
  /** Stored by `dag pause`; before any scheduler saw the DAG, its `pausedOnCreation`. */
  readonly paused: boolean;
  readonly file: string;
  readonly lastRun: {
    readonly runId: string;
    readonly logicalDate: string | null;
    readonly state: string;
  } | null;
}

/** Broken DAG files are listed with their error but do not fail the command: the other DAGs still work. */
export async function execute(args: ListArgs, io: Io): Promise<number> {
  return withSession(args, io, async (s) => {
    // Listing must not create a state database in a fresh home just to find there are no runs.
    const engine = s.stateExists() ? await s.engine() : undefined;
    const entries: DagListEntry[] = [];
    const states = new Map(
      (engine ? await engine.store.listDagStates() : []).map((d) => [d.dagId, d.paused]),
    );
    for (const dag of [...s.loaded.dags.values()].sort((a, b) => a.id.localeCompare(b.id))) {
      const [last] = engine ? await engine.listRuns(dag.id, { limit: 1 }) : [];
      entries.push({
        dagId: dag.id,
        description: dag.description,
        schedule: describeSchedule(dag.schedule),
        tasks: dag.tasks.length,
        paused: states.get(dag.id) ?? dag.pausedOnCreation,
        file: displayPath(io.cwd, s.loaded.files.get(dag.id) ?? ''),
        lastRun: last
          ? { runId: last.runId, logicalDate: dateLabel(last.logicalDate), state: last.state }
          : null,
      });
    }
    const broken = s.loaded.broken.map((b) => ({ path: displayPath(io.cwd, b.path), error: b.error }));
    if (args.json) {
      printJson(io, { dags: entries, broken });
      return EXIT.ok;
    }
    const rows = entries.map((e) => [
      e.dagId,
      e.schedule,
      String(e.tasks),
      e.paused ? 'yes' : 'no',
      e.lastRun?.logicalDate ?? '-',
      e.lastRun?.state ?? '-',
    ]);
    println(io, renderTable(['dag', 'schedule', 'tasks', 'paused', 'last run', 'state'], rows));
    if (broken.length > 0) {
      println(io, `\n${broken.length} broken DAG file(s):`);
      for (const b of broken) println(io, `  ${b.path}: ${b.error}`);
    }
    return EXIT.ok;
  });
}
