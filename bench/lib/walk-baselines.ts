import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The scheduler benchmark's baselines: the least a durable orchestrator must do for the same graph — walk it
 * in topological order, run each (no-op) body, record the state changes in SQLite with as many commits as
 * the engine made, and optionally write each try's two log lines (a file per try, or one file for the run). No scheduling policy, no events, no context.
 */

export interface WalkOptions {
  /** `parents[i]`: indices of task i's upstream tasks; indices are a topological order. */
  readonly parents: readonly (readonly number[])[];
  readonly dir: string;
  /** Commits to make over the whole walk (the engine's count), including the one that creates the rows. */
  readonly commits: number;
  /** Task-row updates per task (the engine's `task` changes per task); each try also inserts and ends a try row. */
  readonly taskUpdates: number;
  /** `per-try`: a folder and a file per try (the engine's old layout); `segment`: one open file for the run. */
  readonly logs: 'none' | 'per-try' | 'segment';
}

const body = (): null => null;

/** The same walk with nothing durable: the floor of any scheduler written in JS. */
export async function memoryWalk(parents: readonly (readonly number[])[]): Promise<void> {
  const done = new Uint8Array(parents.length);
  for (let i = 0; i < parents.length; i++) {
    for (const p of parents[i]!) if (done[p] !== 1) throw new Error(`task ${i} before its upstream ${p}`);
    await body();
    done[i] = 1;
  }
}

export async function durableWalk(o: WalkOptions): Promise<void> {
  const n = o.parents.length;
  const db = new Database(path.join(o.dir, 'walk.db'));
  let segment = -1;
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE task_instances (run_id TEXT, task_id TEXT, state TEXT, try_number INTEGER,
      started_at TEXT, ended_at TEXT, PRIMARY KEY (run_id, task_id));
      CREATE TABLE task_tries (run_id TEXT, task_id TEXT, try_number INTEGER, state TEXT, started_at TEXT,
      ended_at TEXT, log_path TEXT, PRIMARY KEY (run_id, task_id, try_number))`);
    const insertTask = db.prepare("INSERT INTO task_instances VALUES ('r', ?, 'none', 0, NULL, NULL)");
    const updateTask = db.prepare(
      "UPDATE task_instances SET state = ?, try_number = 1, started_at = ? WHERE run_id = 'r' AND task_id = ?",
    );
    const startTry = db.prepare("INSERT INTO task_tries VALUES ('r', ?, 1, 'running', ?, NULL, ?)");
    const endTry = db.prepare(
      "UPDATE task_tries SET state = 'success', ended_at = ? WHERE run_id = 'r' AND task_id = ? AND try_number = 1",
    );
    const begin = db.prepare('BEGIN');
    const commit = db.prepare('COMMIT');
    const ids = o.parents.map((_, i) => `t${i}`);
    db.transaction(() => {
      for (const id of ids) insertTask.run(id);
    })();
    const runDir = path.join(o.dir, 'logs', 'dag_id=walk', 'run_id=r');
    if (o.logs !== 'none') fs.mkdirSync(runDir, { recursive: true });
    const segmentPath = path.join(runDir, 'tries.log');
    if (o.logs === 'segment') segment = fs.openSync(segmentPath, 'a');
    // Commits are spread evenly over the statements so their count matches the engine's exactly.
    const perTask = o.taskUpdates + 2;
    const total = n * perTask;
    const budget = o.commits - 1;
    if (budget < 1) throw new RangeError(`commits must be at least 2, got ${o.commits}`);
    let made = 0;
    let stmt = 0;
    const step = (): void => {
      stmt++;
      // The last commit is the one after the loop.
      if (stmt < total && made < Math.floor((stmt * budget) / total)) {
        commit.run();
        made++;
        begin.run();
      }
    };
    const done = new Uint8Array(n);
    begin.run();
    for (let i = 0; i < n; i++) {
      for (const p of o.parents[i]!) if (done[p] !== 1) throw new Error(`task ${i} before its upstream ${p}`);
      const id = ids[i]!;
      const now = new Date().toISOString();
      let logPath = '';
      let fd = -1;
      if (o.logs === 'per-try') {
        const taskDir = path.join(runDir, `task_id=${id}`);
        fs.mkdirSync(taskDir);
        logPath = path.join(taskDir, 'attempt=1.log');
        fd = fs.openSync(logPath, 'a');
      } else if (o.logs === 'segment') {
        logPath = segmentPath;
        fd = segment;
      }
      if (fd >= 0) {
        fs.writeSync(
          fd,
          `${JSON.stringify({ level: 'info', message: 'starting try 1', taskId: id, at: now })}\n`,
        );
      }
      for (let u = 0; u < o.taskUpdates - 1; u++) {
        updateTask.run(u === o.taskUpdates - 2 ? 'running' : 'scheduled', now, id);
        step();
      }
      startTry.run(id, now, logPath);
      step();
      await body();
      if (fd >= 0) {
        fs.writeSync(fd, `${JSON.stringify({ level: 'info', message: 'try succeeded', taskId: id })}\n`);
        if (o.logs === 'per-try') fs.closeSync(fd);
      }
      updateTask.run('success', now, id);
      step();
      endTry.run(new Date().toISOString(), id);
      step();
      done[i] = 1;
    }
    commit.run();
    made++;
    if (made !== budget) {
      throw new Error(`internal: made ${made} commits, meant ${budget}`);
    }
  } finally {
    if (segment >= 0) fs.closeSync(segment);
    db.close();
  }
}
