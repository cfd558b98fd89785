import type { ArgumentsCamelCase, Argv } from 'yargs';

/**
 * The command-line grammar. Kept apart from the command implementations, which main.ts imports only when
 * a command actually runs, so `--help` loads neither the engine nor any DAG file.
 */

export const REPROCESS = ['none', 'failed', 'all'] as const;
export const GRAPH_FORMATS = ['text', 'mermaid', 'dot'] as const;
export const RUN_STATE_CHOICES = ['queued', 'running', 'success', 'failed'] as const;

export function globalOptions<T>(y: Argv<T>) {
  return y.options({
    'dags-folder': {
      type: 'string',
      describe: 'Folder of DAG files (default: $STREAMPRO_DAGS_FOLDER or ./dags)',
      global: true,
    },
    verbose: {
      type: 'boolean',
      describe: 'Say more on stderr: DAG files, where the state is, how tries run',
      global: true,
    },
    quiet: {
      type: 'boolean',
      describe: 'No live view or progress on stderr: only results and errors',
      global: true,
      conflicts: 'verbose',
    },
    profile: {
      type: 'string',
      alias: 'env',
      describe: 'Load the profile config/<name>.json (--env is the older name)',
      global: true,
    },
  });
}

export type GlobalOptions = ReturnType<typeof globalOptions<object>> extends Argv<infer G> ? G : never;
export type GlobalArgs = ArgumentsCamelCase<GlobalOptions>;
type B = Argv<GlobalOptions>;
type ArgsOf<F> = F extends (y: B) => Argv<infer T> ? ArgumentsCamelCase<T> : never;

const dag = <T>(y: Argv<T>) =>
  y.positional('dag', { type: 'string', demandOption: true, describe: 'DAG id' });
const json = { type: 'boolean', default: false, describe: 'Print JSON on stdout' } as const;
const date = { type: 'string', describe: 'Logical date, YYYY-MM-DD', demandOption: true } as const;
const param = {
  type: 'string',
  array: true,
  describe: 'Set a DAG param (repeatable): --param key=value',
} as const;
// yargs reads `--no-downstream` as `downstream=false` (boolean negation), which is the documented flag.
const downstream = {
  type: 'boolean',
  default: true,
  describe: 'Also run DAGs triggered by the assets this run updates (disable with --no-downstream)',
} as const;

export const listOptions = (y: B) => y.options({ json });
export const graphOptions = (y: B) =>
  dag(y).options({ format: { choices: GRAPH_FORMATS, default: 'text' as const, describe: 'Output format' } });
export const runOptions = (y: B) =>
  dag(y).options({
    date,
    task: { type: 'string', array: true, describe: 'Run only these tasks (repeatable)' },
    param,
    force: { type: 'boolean', default: false, describe: 'Run again even if the run already succeeded' },
    'mark-success': {
      type: 'boolean',
      default: false,
      describe: 'Mark the task instances (or the --task ones) success without running them',
    },
    local: {
      type: 'boolean',
      default: false,
      describe: 'With a cluster (STREAMPRO_EXECUTOR=workers): execute here, tries in local processes',
    },
    strict: {
      type: 'boolean',
      default: false,
      describe: 'Type-check the project first and refuse to start on a type error (as dag check)',
    },
    downstream,
    json,
  });
export const BACKFILL_ACTIONS = ['list', 'pause', 'unpause', 'cancel'] as const;
export const backfillOptions = (y: B) =>
  y
    .positional('dag', {
      type: 'string',
      demandOption: true,
      describe: `DAG id to backfill, or an action: ${BACKFILL_ACTIONS.join(', ')}`,
    })
    .positional('id', { type: 'number', describe: 'Backfill id (pause, unpause, cancel)' })
    .options({
      start: { type: 'string', describe: 'First logical date, YYYY-MM-DD' },
      end: { type: 'string', describe: 'Last logical date, YYYY-MM-DD (inclusive)' },
      queue: {
        type: 'boolean',
        default: false,
        describe: 'Record the backfill for the scheduler instead of executing it here',
      },
      'max-active-runs': {
        type: 'number',
        describe: "Runs at the same time (default: the DAG's maxActiveRuns)",
      },
      reprocess: {
        choices: REPROCESS,
        default: 'none' as const,
        describe: 'Dates that already have a run: none (resume unfinished), failed, all',
      },
      backwards: { type: 'boolean', default: false, describe: 'Newest date first' },
      'mark-success': {
        type: 'boolean',
        default: false,
        describe: "Mark each run's task instances success without running them (not with --queue)",
      },
      'dry-run': { type: 'boolean', default: false, describe: 'Print the plan and the reason for each date' },
      param,
      downstream,
      json,
    });
export const statusOptions = (y: B) => dag(y).options({ date, json });
export const runsOptions = (y: B) =>
  dag(y).options({
    state: { choices: RUN_STATE_CHOICES, describe: 'Only runs in this state' },
    limit: { type: 'number', default: 20, describe: 'Most recent N runs' },
    json,
  });
export const logsOptions = (y: B) =>
  dag(y).options({
    date,
    task: { type: 'string', describe: 'Only this task, or one instance of a mapped task (load[3])' },
    try: { type: 'number', describe: 'Only this try number (default: the last)' },
    follow: { type: 'boolean', alias: 'f', default: false, describe: 'Keep tailing tries still running' },
    raw: { type: 'boolean', default: false, describe: 'Print the stored JSON lines' },
  });
export const clearOptions = (y: B) =>
  dag(y).options({
    date,
    task: {
      type: 'string',
      array: true,
      describe: 'Clear only these tasks or mapped instances (load[3]) (default: all)',
    },
    downstream: { type: 'boolean', default: false, describe: 'Also clear tasks downstream of them' },
    'only-failed': { type: 'boolean', default: false, describe: 'Only failed and upstream_failed tasks' },
    yes: { type: 'boolean', alias: 'y', default: false, describe: 'Do not ask for confirmation' },
  });
export const TASK_STATE_CHOICES = ['success', 'failed', 'skipped'] as const;
export const tasksOptions = (y: B) =>
  y
    .positional('what', { choices: ['state'] as const, demandOption: true, describe: 'What to change' })
    .positional('action', { choices: ['set'] as const, demandOption: true, describe: 'What to do' })
    .positional('dag', { type: 'string', demandOption: true, describe: 'DAG id' })
    .positional('date', {
      type: 'string',
      demandOption: true,
      describe: 'Logical date of the run, YYYY-MM-DD',
    })
    .positional('task', { type: 'string', demandOption: true, describe: 'Task id' })
    .positional('state', { choices: TASK_STATE_CHOICES, demandOption: true, describe: 'The new state' })
    .options({ json });
export const testOptions = (y: B) =>
  dag(y)
    .positional('task', {
      type: 'string',
      demandOption: true,
      describe: 'Task id, or one instance of a mapped task (load[3])',
    })
    .options({ date, param });

export const pauseOptions = (y: B) => dag(y);
export const triggerOptions = (y: B) =>
  dag(y).options({
    date: {
      type: 'string',
      describe: 'Logical date (default: the latest scheduled instant at or before now)',
    },
    param,
    wait: {
      type: 'boolean',
      default: false,
      describe: 'Follow the run the scheduler executes (live view) and exit with its outcome',
    },
    json,
  });
export const schedulerOptions = (y: B) =>
  y
    .positional('action', {
      choices: ['run', 'status'] as const,
      default: 'run' as const,
      describe: 'run (default): schedule until SIGTERM; status: which schedulers are alive',
    })
    .options({
      interval: { type: 'number', default: 5000, describe: 'Milliseconds between two scheduling passes' },
      grace: {
        type: 'number',
        default: 30_000,
        describe: 'On SIGTERM, milliseconds running runs get to finish before they are handed back',
      },
      strict: {
        type: 'boolean',
        default: false,
        describe: 'Type-check the project first and refuse to start on a type error (as dag check)',
      },
      json,
    });

export const workerOptions = (y: B) =>
  y.options({
    concurrency: { type: 'number', default: 4, describe: 'Tries this worker runs at the same time' },
    queue: {
      type: 'string',
      array: true,
      describe: "Serve this queue (repeatable; tasks name theirs with `queue`); default: 'default'",
    },
    grace: {
      type: 'number',
      default: 30_000,
      describe: 'On SIGTERM, milliseconds running tries get to finish before they are handed back',
    },
  });

export const POOL_ACTIONS = ['list', 'set', 'delete'] as const;
export const poolsOptions = (y: B) =>
  y
    .positional('action', { choices: POOL_ACTIONS, default: 'list' as const, describe: 'What to do' })
    .positional('name', { type: 'string', describe: 'Pool name (set, delete)' })
    .positional('slots', {
      type: 'string',
      describe: 'Slots of the pool (set): tries queued or running at once',
    })
    .options({
      description: { type: 'string', describe: 'What the pool guards (set)' },
      json,
    });

export const initOptions = (y: B) =>
  y
    .positional('dir', { type: 'string', describe: 'Folder of the new project (default: the current one)' })
    .options({ json });

export const checkOptions = (y: B) => y.options({ json });
export const uiOptions = (y: B) =>
  y.options({
    port: { type: 'number', default: 8484, describe: 'Port to listen on (0: any free port)' },
    host: {
      type: 'string',
      default: '127.0.0.1',
      describe: 'Address to bind; beyond loopback an access token is required',
    },
    token: {
      type: 'string',
      describe: 'Access token requests must carry (default: $STREAMPRO_UI_TOKEN)',
    },
  });

export type ListArgs = ArgsOf<typeof listOptions>;
export type GraphArgs = ArgsOf<typeof graphOptions>;
export type RunArgs = ArgsOf<typeof runOptions>;
export type BackfillArgs = ArgsOf<typeof backfillOptions>;
export type StatusArgs = ArgsOf<typeof statusOptions>;
export type RunsArgs = ArgsOf<typeof runsOptions>;
export type LogsArgs = ArgsOf<typeof logsOptions>;
export type ClearArgs = ArgsOf<typeof clearOptions>;
export type TestArgs = ArgsOf<typeof testOptions>;
export type TasksArgs = ArgsOf<typeof tasksOptions>;
export type PauseArgs = ArgsOf<typeof pauseOptions>;
export type TriggerArgs = ArgsOf<typeof triggerOptions>;
export type SchedulerArgs = ArgsOf<typeof schedulerOptions>;
export type WorkerArgs = ArgsOf<typeof workerOptions>;
export type PoolsArgs = ArgsOf<typeof poolsOptions>;
export type InitArgs = ArgsOf<typeof initOptions>;
export type CheckArgs = ArgsOf<typeof checkOptions>;
export type UiArgs = ArgsOf<typeof uiOptions>;
