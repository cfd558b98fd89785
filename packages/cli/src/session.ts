import fs from 'node:fs';
import path from 'node:path';
import {
  type Dag,
  type DagRegistry,
  Engine,
  type Executor,
  openQueueDatabase,
  openRunStore,
  PostgresRunStore,
  parseMappedTaskId,
  QueueExecutor,
  type RunStore,
  resolveParams,
  type TaskDefinition,
} from '@streampro/engine';
import { executorKind, leaseTtlMs, logLevel, processPool, workerTtlMs } from './config/executor.js';
import { assertDagsFolder, type Locations, resolveLocations } from './config/home.js';
import { loadProfile, profileEnv } from './config/profile.js';
import { stateLocation } from './config/state.js';
import { dagCacheDir } from './discovery/dag-cache.js';
import { type LoadedDags, loadDags, registryOf } from './discovery/load-dags.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import type { GlobalArgs } from './options.js';

/**
 * Everything a command needs after argv is parsed: configuration applied, DAGs loaded, and the engine
 * opened on demand. Commands validate their input before calling `engine()`, so bad input never creates
 * or touches the state database.
 */
export interface Session {
  readonly locations: Locations;
  /** The DAGs loaded from the folder (the latest load after `reloadDags`). */
  readonly loaded: LoadedDags;
  readonly registry: DagRegistry;
  /** Imports the DAG files again (changed ones as new module versions); later tries use the new DAGs. */
  reloadDags(): Promise<LoadedDags>;
  /** The DAG with this id, or a UsageError listing the known ones. */
  dag(id: string): Dag;
  /** The task of the DAG, or a UsageError listing the DAG's tasks. */
  task(dag: Dag, id: string): TaskDefinition;
  /** A task instance id: a task's, or `<task>[<index>]` naming one instance of a mapped task. */
  instance(dag: Dag, id: string): string;
  /** Parsed `--param` values checked against the DAG's declared params (unknown names, wrong types). */
  params(dag: Dag, values: Readonly<Record<string, string>>): Record<string, string>;
  /** Whether run state may exist: a database server, or a state file already in the home. */
  stateExists(): boolean;
  /** The engine (opened once); `local` runs tries in local processes even when a cluster is configured. */
  engine(options?: { readonly local?: boolean }): Promise<Engine>;
  close(): Promise<void>;
}

export async function openSession(args: GlobalArgs, io: Io): Promise<Session> {
  const locations = resolveLocations(io.env, io.cwd, args.dagsFolder);
  const profile = args.profile === undefined ? undefined : loadProfile(args.profile, io.cwd);
  // DAG files read their configuration from the environment when they are imported, so apply it first.
  Object.assign(io.env, profileEnv(locations.home, profile, io.env));
  assertDagsFolder(
    locations.dagsFolder,
    (p) => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true,
  );
  const cacheDir = dagCacheDir(locations.home);
  let loaded = await loadDags(locations.dagsFolder, { cacheDir });
  if (args.verbose) {
    io.stderr.write(
      `dag: ${loaded.dags.size} DAG(s) from ${loaded.files.size > 0 ? new Set(loaded.files.values()).size : 0} file(s) in ${locations.dagsFolder}${loaded.broken.length > 0 ? `, ${loaded.broken.length} broken` : ''}\n`,
    );
  }
  const state = stateLocation(locations.home, profile, io.env);
  let engine: Engine | undefined;
  return {
    locations,
    get loaded() {
      return loaded;
    },
    get registry() {
      return registryOf(loaded);
    },
    async reloadDags() {
      loaded = await loadDags(locations.dagsFolder, { cacheDir, fresh: true });
      return loaded;
    },
    dag: (id) => findDag(loaded, id),
    task: (dag, id) => findTask(dag, id),
    instance: (dag, id) => findInstance(dag, id),
    params(dag, values) {
      resolveParams(dag.id, dag.params, values);
      return { ...values };
    },
    stateExists: () => state.server || fs.existsSync(state.location),
    async engine(options = {}) {
      if (engine) return engine;
      // Settings first: a bad one is a UsageError before any store is opened.
      // Workers start on the first try, so commands that only read state never spawn one.
      const configured = executorKind(io.env);
      const kind = options.local && configured === 'workers' ? 'processes' : configured;
      const ttl = leaseTtlMs(io.env);
      const level = logLevel(io.env);
      if (kind === 'workers' && !state.server) throw workersNeedPostgres();
      // SQLite in the home, or the database STREAMPRO_DATABASE_URL / the profile names: nothing past this
      // line knows which, but for the workers' queue, which lives on PostgreSQL.
      const store = await openRunStore(state.location);
      const executor =
        kind === 'in-process'
          ? {}
          : { executor: kind === 'workers' ? await queueExecutor(store, io.env) : processPool(io.env) };
      engine = await Engine.open({
        home: locations.home,
        store,
        secrets: [...connectionSecrets(io.env), ...(state.secret ? [state.secret] : [])],
        ...executor,
        leaseTtlMs: ttl,
        logLevel: level,
        dagFile: (id) => loaded.files.get(id),
      });
      if (args.verbose) {
        const where = store instanceof PostgresRunStore ? store.location : state.location;
        const how = {
          processes: 'local worker processes',
          'in-process': 'this process',
          workers: 'dag worker processes',
        }[kind];
        io.stderr.write(
          `dag: state in ${where}; tries run in ${how}; try logs at level ${level} and above\n`,
        );
      }
      return engine;
    },
    async close() {
      await engine?.close();
    },
  };
}

const workersNeedPostgres = (): UsageError =>
  new UsageError(
    'STREAMPRO_EXECUTOR=workers needs the state on PostgreSQL: set STREAMPRO_DATABASE_URL (workers on other machines share it)',
  );

/** The executor of `STREAMPRO_EXECUTOR=workers`: tries go to `dag worker` processes through the database. */
async function queueExecutor(store: RunStore, env: Io['env']): Promise<Executor> {
  if (!(store instanceof PostgresRunStore)) {
    await store.close();
    throw workersNeedPostgres();
  }
  return QueueExecutor.open(await openQueueDatabase(store), { workerTtlMs: workerTtlMs(env) });
}

/**
 * Credentials the CLI hands to DAG code through the environment (directly or from a profile): masked in
 * every log line and stored error, whatever task or library happens to print them.
 */
const SECRET_VARIABLES = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

function connectionSecrets(env: Io['env']): string[] {
  return SECRET_VARIABLES.map((name) => env[name]).filter((v): v is string => v !== undefined && v !== '');
}

function findDag(loaded: LoadedDags, id: string): Dag {
  const dag = loaded.dags.get(id);
  if (dag) return dag;
  const duplicate = loaded.broken.find((b) => b.error.startsWith(`duplicate DAG id '${id}'`));
  if (duplicate) throw new UsageError(`${duplicate.error}; give each DAG a unique id`);
  // A CommonJS project breaks every DAG file alike: say that, not "unknown DAG".
  const commonJs = loaded.broken.find((b) => b.error.startsWith('this project is CommonJS'));
  if (commonJs) throw new UsageError(commonJs.error);
  const known = [...loaded.dags.keys()].sort();
  const broken = loaded.broken.length
    ? ` (${loaded.broken.length} DAG file(s) failed to load: ${loaded.broken.map((b) => path.basename(b.path)).join(', ')}; see dag list)`
    : '';
  throw new UsageError(
    `unknown DAG '${id}'; known DAGs: ${known.length ? known.join(', ') : `(none in ${loaded.folder})`}${broken}`,
  );
}

function findTask(dag: Dag, id: string): TaskDefinition {
  const task = dag.getTask(id);
  if (task) return task;
  throw new UsageError(
    `unknown task '${id}' in DAG '${dag.id}'; its tasks: ${dag.topologicalOrder().join(', ')}`,
  );
}

function findInstance(dag: Dag, id: string): string {
  const mapped = parseMappedTaskId(id);
  if (!mapped) return findTask(dag, id).id;
  if (!findTask(dag, mapped.taskId).map) {
    throw new UsageError(
      `'${id}' names instance ${mapped.index} of task '${mapped.taskId}', which is not mapped; name the task '${mapped.taskId}'`,
    );
  }
  return id;
}

/** Opens a session, runs `body`, and always closes the engine (releasing the state store) afterwards. */
export async function withSession<T>(args: GlobalArgs, io: Io, body: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession(args, io);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
