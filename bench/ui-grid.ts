import { CsrfGuard, createUiApp } from '@streampro/cli/ui';
import {
  type AnyTaskRef,
  type Dag,
  defineDag,
  Engine,
  SqliteRunStore,
  type StateChange,
} from '@streampro/engine';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { Rows } from './lib/report.js';

const METRIC = 'server ms';

/** A DAG of `groups` task groups of `perGroup` chained tasks each. */
function groupedDag(id: string, groups: number, perGroup: number): Dag {
  const dag = defineDag({ id, schedule: '@daily', startDate: '2024-01-01' });
  for (let g = 0; g < groups; g++) {
    const group = dag.group(`g${g}`);
    let previous: AnyTaskRef = group.task({ id: 't0', run: () => null });
    for (let t = 1; t < perGroup; t++)
      previous = group.task({ id: `t${t}`, upstream: [previous], run: () => null });
  }
  return dag;
}

/** `runs` finished runs of `dag`, one day apart, every task successful with a duration (one batch per run). */
async function seed(store: SqliteRunStore, dag: Dag, runs: number): Promise<void> {
  const ids = dag.tasks.map((t) => t.id);
  for (let i = 0; i < runs; i++) {
    const day = new Date(Date.UTC(2024, 0, 1 + i)).toISOString();
    const runId = `scheduled__${day.slice(0, 10)}`;
    await store.ensureRun(
      { dagId: dag.id, runId, logicalDate: day, runType: 'scheduled', params: {}, createdAt: day },
      ids,
    );
    const changes: StateChange[] = ids.map((taskId, k) => ({
      kind: 'task',
      dagId: dag.id,
      runId,
      taskId,
      state: 'success',
      tryNumber: 1,
      maxTries: 1,
      output: { rows: k },
      startedAt: day,
      endedAt: day,
      durationMs: 100 + ((i * 7 + k) % 50),
    }));
    changes.push({ kind: 'run', dagId: dag.id, runId, state: 'success', startedAt: day, endedAt: day });
    await store.apply(changes);
  }
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Server time of the grid page (`app.request`, no socket: query, layout and HTML) beside the one store
 * query it makes (`listTaskGrid`), on SQLite: a year of daily runs of 14 tasks, and one run of 10,000 tasks.
 */
export async function uiGridBench(ctx: BenchContext): Promise<BenchOutcome> {
  const reps = repsOf(ctx, 15);
  const cases = ctx.quick
    ? [{ name: '30 runs × 14 tasks', dag: groupedDag('year', 2, 7), runs: 30, target: 300 }]
    : [
        { name: '365 runs × 14 tasks', dag: groupedDag('year', 2, 7), runs: 365, target: 300 },
        { name: '1 run × 10,000 tasks', dag: groupedDag('wide', 100, 100), runs: 1, target: 1000 },
      ];
  const rows = new Rows();
  return withTempDir('ui-grid', async (home) => {
    const store = await SqliteRunStore.open(`${home}/state.db`);
    const engine = await Engine.open({ home, store });
    const stop = new AbortController();
    try {
      const dags = new Map(cases.map((c) => [c.dag.id, c.dag]));
      const app = createUiApp(
        {
          engine,
          dags: async () => ({ folder: home, dags, files: new Map(), broken: [] }),
          cwd: home,
          csrf: new CsrfGuard(),
          pollMs: 1000,
          signal: stop.signal,
          now: () => new Date(),
        },
        { token: undefined, loopback: true },
      );
      for (const c of cases) {
        ctx.log(`seeding ${c.name}`);
        await seed(store, c.dag, c.runs);
        const url = `/dags/${c.dag.id}/grid?runs=${c.runs}`;
        const page = async (): Promise<void> => {
          const response = await app.request(url, { headers: { host: 'localhost' } });
          if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
          await response.text();
        };
        const query = () => store.listTaskGrid(c.dag.id, { limit: c.runs });
        await page();
        const baseline: number[] = [];
        const server: number[] = [];
        for (let r = 0; r < reps; r++) {
          baseline.push(await timeMs(query));
          server.push(await timeMs(page));
        }
        const base = `baseline: listTaskGrid ${c.name}`;
        rows.add(base, METRIC, baseline);
        rows.compare(`grid page ${c.name}`, METRIC, server, base, {
          text: `< ${c.target} ms`,
          ok: (_ratio, v) => v.median < c.target,
        });
      }
      return {
        params: { reps, store: 'sqlite' },
        rows: rows.rows,
        notes: [
          'Server time: `app.request` of the grid page in-process (no socket, no browser): its store query, the grouping of tasks, and the HTML.',
          'The baseline is the same `listTaskGrid` query alone, so the ratio is what the page adds to the query.',
        ],
      };
    } finally {
      stop.abort();
      await engine.close();
    }
  });
}
