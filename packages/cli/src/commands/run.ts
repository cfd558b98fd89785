import type { RunResult, RunSummary } from '@streampro/engine';
import { requireNoTypeErrors } from '../check/strict.js';
import { executorKind } from '../config/executor.js';
import { EXIT } from '../errors.js';
import { colorEnabled, type Io, terminalWidth } from '../io.js';
import type { RunArgs } from '../options.js';
import { eprintln, printJson, println } from '../output.js';
import { checkScheduledDate, parseDateFlag } from '../parse/dates.js';
import { parseParamFlags } from '../parse/params.js';
import { liveViewFor } from '../render/choose-view.js';
import { palette } from '../render/colors.js';
import { runJson } from '../render/run-json.js';
import { outputSummaries, renderRunSummary } from '../render/run-summary.js';
import { withSession } from '../session.js';
import { runOnCluster } from './run-on-cluster.js';

/** The run and the asset-triggered runs that followed it, in execution order. */
export function flattenRuns(result: RunResult): RunResult[] {
  return [result, ...result.triggered.flatMap(flattenRuns)];
}

export async function execute(args: RunArgs, io: Io): Promise<number> {
  // Input that needs no DAG is checked before DAG files load: fast, and nothing is touched.
  const logicalDate = parseDateFlag('date', args.date);
  const paramFlags = parseParamFlags(args.param);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    checkScheduledDate(dag, 'date', logicalDate, args.date);
    const tasks = args.task?.map((id) => s.task(dag, id).id);
    const params = s.params(dag, paramFlags);
    if (args.strict) await requireNoTypeErrors(s, io, 'dag run');
    // Marking executes nothing, so it is done here even with a cluster.
    if (executorKind(io.env) === 'workers' && !args.local && !args.markSuccess) {
      const { runs, interrupted } = await runOnCluster(args, io, s, dag, logicalDate.toISOString(), params);
      printRuns(args, io, runs);
      if (interrupted) {
        eprintln(
          io,
          `stopped following; the run goes on with the schedulers (dag status ${dag.id} --date ${args.date})`,
        );
        return EXIT.interrupted;
      }
      return runs.every((r) => r.state === 'success') ? EXIT.ok : EXIT.failed;
    }
    const engine = await s.engine({ local: args.local });
    const p = palette(colorEnabled(io, io.stderr));
    // Progress goes to stderr so `--json` keeps stdout to one JSON document.
    const view = liveViewFor(io, p, args.quiet);
    let result: RunResult;
    try {
      result = await engine.run(dag, {
        logicalDate,
        params,
        force: args.force,
        ...(args.markSuccess ? { markSuccess: true } : {}),
        ...(tasks ? { tasks } : {}),
        signal: io.signal,
        onEvent: (e) => view.onEvent(e),
        ...(args.downstream ? { registry: s.registry } : {}),
      });
    } finally {
      view.stop();
    }
    const runs = flattenRuns(result);
    printRuns(args, io, runs);
    if (io.signal.aborted) return EXIT.interrupted;
    return runs.every((r) => r.state === 'success') ? EXIT.ok : EXIT.failed;
  });
}

/** The summary of each run (and its outputs' summaries), or one JSON document of them all. */
function printRuns(
  args: RunArgs,
  io: Io,
  runs: readonly (RunSummary & { readonly alreadyDone: boolean })[],
): void {
  if (args.json) {
    printJson(io, { runs: runs.map((r) => ({ ...runJson(r), alreadyDone: r.alreadyDone })) });
    return;
  }
  const out = palette(colorEnabled(io, io.stdout));
  for (const run of runs) {
    if (run.alreadyDone)
      eprintln(io, `${run.dagId} ${args.date} already succeeded; pass --force to run it again`);
    println(io, renderRunSummary(run, out, io.cwd, terminalWidth(io)));
    if (run.state === 'success') for (const text of outputSummaries(run)) println(io, `\n${text}`);
  }
}
