import readline from 'node:readline/promises';
import type { ClearResult } from '@streampro/engine';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { ClearArgs } from '../options.js';
import { println } from '../output.js';
import { checkScheduledDate, parseDateFlag } from '../parse/dates.js';
import { renderTable } from '../render/table.js';
import { withSession } from '../session.js';

export async function execute(args: ClearArgs, io: Io): Promise<number> {
  const date = parseDateFlag('date', args.date);
  return withSession(args, io, async (s) => {
    const dag = s.dag(args.dag);
    checkScheduledDate(dag, 'date', date, args.date);
    const tasks = args.task?.map((id) => s.instance(dag, id));
    const options = { downstream: args.downstream, onlyFailed: args.onlyFailed, ...(tasks ? { tasks } : {}) };
    const engine = await s.engine();
    const plan = await engine.clear(dag, date, { ...options, dryRun: true });
    if (plan.cleared.length === 0) {
      println(io, `nothing to clear in ${dag.id} ${args.date}`);
      return EXIT.ok;
    }
    println(
      io,
      `will clear ${plan.cleared.length} task instance(s) of ${dag.id} ${args.date} (${plan.runId}):`,
    );
    println(io, renderCleared(plan));
    if (!args.yes) {
      if (!io.stdin.isTTY || !io.stdout.isTTY) {
        throw new UsageError(
          'refusing to clear without confirmation on a non-interactive terminal; pass --yes',
        );
      }
      if (!(await confirm(io, 'Clear these task instances? [y/N] '))) {
        println(io, 'nothing cleared');
        return EXIT.ok;
      }
    }
    const done = await engine.clear(dag, date, options);
    println(
      io,
      `cleared ${done.cleared.length} task instance(s); run again with: dag run ${dag.id} --date ${args.date}`,
    );
    return EXIT.ok;
  });
}

function renderCleared(result: ClearResult): string {
  return renderTable(
    ['task', 'state before'],
    result.cleared.map((c) => [c.taskId, c.previousState]),
  );
}

async function confirm(io: Io, question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: io.stdin, output: io.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
