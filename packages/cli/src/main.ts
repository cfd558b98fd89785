import type { Argv } from 'yargs';
import yargs from 'yargs';
import { describeError, EXIT, exitCodeFor, UsageError } from './errors.js';
import type { Io } from './io.js';
import * as o from './options.js';
import { hintedMessage, rawValueOf } from './parse/flag-hints.js';
import { skipHelpCache } from './parse/skip-help-cache.js';
import { cliVersion } from './version.js';

/** A command's implementation, imported only when that command runs. */
type Execute<A> = (args: A, io: Io) => Promise<number>;

interface CommandEntry<A> {
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv<o.GlobalOptions>) => Argv<unknown>;
  readonly load: () => Promise<Execute<A>>;
}

const entry = <A>(e: CommandEntry<A>): CommandEntry<A> => e;

const COMMANDS = [
  entry<o.ListArgs>({
    command: 'list',
    describe: 'List DAGs with their schedule and last run',
    builder: o.listOptions,
    load: async () => (await import('./commands/list.js')).execute,
  }),
  entry<o.GraphArgs>({
    command: 'graph <dag>',
    describe: 'Show the task graph (text, mermaid or dot)',
    builder: o.graphOptions,
    load: async () => (await import('./commands/graph.js')).execute,
  }),
  entry<o.RunArgs>({
    command: 'run <dag>',
    describe: 'Execute or resume the run of a logical date',
    builder: o.runOptions,
    load: async () => (await import('./commands/run.js')).execute,
  }),
  entry<o.BackfillArgs>({
    command: 'backfill <dag> [id]',
    describe:
      'Run every scheduled date of a range (here, or --queue for the scheduler); list|pause|unpause|cancel',
    builder: o.backfillOptions,
    load: async () => (await import('./commands/backfill.js')).execute,
  }),
  entry<o.StatusArgs>({
    command: 'status <dag>',
    describe: 'Show the state of a run and its tasks',
    builder: o.statusOptions,
    load: async () => (await import('./commands/status.js')).execute,
  }),
  entry<o.RunsArgs>({
    command: 'runs <dag>',
    describe: 'List the runs of a DAG, newest first',
    builder: o.runsOptions,
    load: async () => (await import('./commands/runs.js')).execute,
  }),
  entry<o.LogsArgs>({
    command: 'logs <dag>',
    describe: 'Print the logs of the tries of a run',
    builder: o.logsOptions,
    load: async () => (await import('./commands/logs.js')).execute,
  }),
  entry<o.ClearArgs>({
    command: 'clear <dag>',
    describe: 'Reset task instances of a run so the next run executes them again',
    builder: o.clearOptions,
    load: async () => (await import('./commands/clear.js')).execute,
  }),
  entry<o.TasksArgs>({
    command: 'tasks <what> <action> <dag> <date> <task> <state>',
    describe: 'Set a task instance of a run to success, failed or skipped without running it (state set)',
    builder: o.tasksOptions,
    load: async () => (await import('./commands/tasks.js')).execute,
  }),
  entry<o.TestArgs>({
    command: 'test <dag> <task>',
    describe: 'Run one task once, printing its logs, recording nothing',
    builder: o.testOptions,
    load: async () => (await import('./commands/test.js')).execute,
  }),
  entry<o.TriggerArgs>({
    command: 'trigger <dag>',
    describe: 'Queue a manual run for the scheduler',
    builder: o.triggerOptions,
    load: async () => (await import('./commands/trigger.js')).execute,
  }),
  entry<o.PauseArgs>({
    command: 'pause <dag>',
    describe: 'Stop the scheduler creating runs of a DAG',
    builder: o.pauseOptions,
    load: async () => (await import('./commands/pause.js')).executeWith(true),
  }),
  entry<o.PauseArgs>({
    command: 'unpause <dag>',
    describe: 'Let the scheduler create runs of a DAG again',
    builder: o.pauseOptions,
    load: async () => (await import('./commands/pause.js')).executeWith(false),
  }),
  entry<o.SchedulerArgs>({
    command: 'scheduler [action]',
    describe: 'Run DAGs on their schedules (until SIGTERM), or show the schedulers (status)',
    builder: o.schedulerOptions,
    load: async () => (await import('./commands/scheduler.js')).execute,
  }),
  entry<o.WorkerArgs>({
    command: 'worker',
    describe: 'Run tries for schedulers on PostgreSQL (STREAMPRO_EXECUTOR=workers), until SIGTERM',
    builder: o.workerOptions,
    load: async () => (await import('./commands/worker.js')).execute,
  }),
  entry<o.InitArgs>({
    command: 'init [dir]',
    describe: 'Scaffold a project for DAGs (package.json, tsconfig.json, dags/example.ts); never overwrites',
    builder: o.initOptions,
    load: async () => (await import('./commands/init.js')).execute,
  }),
  entry<o.CheckArgs>({
    command: 'check',
    describe: 'Type-check the project and load every DAG file; print problems as file:line: message',
    builder: o.checkOptions,
    load: async () => (await import('./commands/check.js')).execute,
  }),
  entry<o.PoolsArgs>({
    command: 'pools [action] [name] [slots]',
    describe: 'List pools with their occupancy, or set / delete the slots of one (every process obeys them)',
    builder: o.poolsOptions,
    load: async () => (await import('./commands/pools.js')).execute,
  }),
  entry<o.UiArgs>({
    command: 'ui',
    describe: 'Serve the web interface over the state (DAGs, grid, graph, runs, logs; trigger, clear, pause)',
    builder: o.uiOptions,
    load: async () => (await import('./commands/ui.js')).execute,
  }),
];

/** Runs the CLI and resolves with the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  let cli = o
    .globalOptions(yargs([...argv]))
    .scriptName('dag')
    .usage('$0 <command> [options]\n\nStreamPro DAG orchestrator.')
    .epilog(
      'Environment: STREAMPRO_HOME (state, logs; default ./.streampro), STREAMPRO_DAGS_FOLDER, ' +
        'STREAMPRO_DATABASE_URL (postgres://… state database instead of <home>/state.db).',
    )
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .fail((message, error) => {
      // yargs calls this for its own validation (message set) and for errors thrown by handlers (rethrown as is).
      if (message) {
        const known = knownFlags(argv);
        throw new UsageError(
          `${hintedMessage(oneLine(message), argv, known)}; see dag ${commandOf(argv)}--help`,
        );
      }
      throw error;
    })
    .middleware((args) => {
      // A number option given text parses as NaN: say what was typed.
      for (const [key, value] of Object.entries(args)) {
        if (typeof value === 'number' && Number.isNaN(value) && key.length > 1 && !key.includes('-')) {
          const flag = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
          throw new UsageError(`--${flag} needs a number, got '${rawValueOf(argv, flag) ?? ''}'`);
        }
      }
    })
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .help()
    .alias('help', 'h')
    .version('version', 'Show the version of dag', cliVersion())
    .completion('completion', 'Print a bash/zsh completion script: dag completion >> ~/.bashrc');
  for (const c of COMMANDS) {
    cli = cli.command(c.command, c.describe, c.builder, async (args) => {
      const execute = await c.load();
      code = await execute(args as never, io);
    });
  }
  try {
    await skipHelpCache(cli).parseAsync();
    return code;
  } catch (error) {
    if (io.signal.aborted && exitCodeFor(error) !== EXIT.usage) return EXIT.interrupted;
    io.stderr.write(`${describeError(error)}\n`);
    return exitCodeFor(error);
  }
}

/** Long flag names of the command named in `argv` (its own and the global ones), from its builder. */
function knownFlags(argv: readonly string[]): string[] {
  const name = argv.find((a) => !a.startsWith('-'));
  const entry = COMMANDS.find((c) => c.command.split(' ')[0] === name);
  const scratch = o.globalOptions(yargs([]));
  const built = (entry ? entry.builder(scratch) : scratch) as unknown as {
    getOptions(): { key: Record<string, unknown> };
  };
  return Object.keys(built.getOptions().key).filter((k) => k.length > 1 && !/[A-Z]/.test(k));
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

function commandOf(argv: readonly string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first && COMMANDS.some((c) => c.command.split(' ')[0] === first) ? `${first} ` : '';
}

/** The real process, with SIGINT/SIGTERM turned into an abort signal (a second Ctrl-C exits at once). */
function processIo(): Io {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(
      `\ndag: ${signal} received, stopping (running tries are recorded as interrupted)...\n`,
    );
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
}
