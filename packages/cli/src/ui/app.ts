import type { Dag } from '@streampro/engine';
import { type Context, Hono } from 'hono';
import { describeError } from '../errors.js';
import { requireLoopbackHost, requireToken } from './auth.js';
import { findDag, type UiContext } from './context.js';
import type { UiEnv } from './env.js';
import type { Html } from './html.js';
import { readLog } from './log-view.js';
import { clearAction, pauseAction, triggerAction } from './routes/actions.js';
import { dagsPage } from './routes/dags-page.js';
import { datasetsPage } from './routes/datasets-page.js';
import { DURATION_RUNS, durationsPage } from './routes/durations-page.js';
import { errorPage } from './routes/error-page.js';
import { graphPage } from './routes/graph-page.js';
import { gridPage, parseGridQuery } from './routes/grid-page.js';
import { runPage } from './routes/run-page.js';
import { followLog, gridEvents } from './routes/streams.js';
import { loadTask, parseLogQuery, taskPage } from './routes/task-page.js';
import { loadAssets } from './static/assets.js';

export interface UiAppOptions {
  /** Access token every request must carry (see auth.ts); undefined: none. */
  readonly token: string | undefined;
  /** Bound to loopback: requests must name a loopback host. */
  readonly loopback: boolean;
}

/** Scripts from this server only; inline styles for computed sizes (and htmx's indicator style). */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/**
 * The web interface over the engine's store: pages read through `RunStore` queries (a few per page),
 * actions go through the engine. Usable without a socket (`app.request`), as the benchmark does.
 */
export function createUiApp(ctx: UiContext, options: UiAppOptions): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const assets = loadAssets();
  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  app.use('*', requireLoopbackHost(options.loopback));
  app.use('*', requireToken(options.token));
  app.use('*', ctx.csrf.middleware());
  app.onError((error, c) => {
    const status = statusOf(error);
    return c.html(
      errorPage(status === 500 ? 'Something went wrong' : 'Not done', describeError(error)).value,
      status,
    );
  });
  app.notFound((c) =>
    c.html(errorPage('Not found', `Nothing at ${new URL(c.req.url).pathname}.`).value, 404),
  );

  app.get('/static/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (!asset) return c.notFound();
    c.header('Cache-Control', 'max-age=3600');
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });

  const withDag = (body: (c: Context<UiEnv>, dag: Dag) => Promise<Response>) => async (c: Context<UiEnv>) => {
    const dag = await findDag(ctx, c.req.param('dag') ?? '');
    return dag ? body(c, dag) : notFound(c, `No DAG '${c.req.param('dag')}' in the DAGs folder.`);
  };
  const withRun = (body: (c: Context<UiEnv>, dag: Dag, runId: string) => Promise<Response>) =>
    withDag(async (c, dag) => {
      const runId = c.req.param('run') ?? '';
      const run = await ctx.engine.store.getRun(dag.id, runId);
      return run ? body(c, dag, run.runId) : notFound(c, `DAG '${dag.id}' has no run '${runId}'.`);
    });
  const htmlOf = (c: Context<UiEnv>, page: Html): Response => c.html(page.value);

  app.get('/', async (c) =>
    htmlOf(
      c,
      await dagsPage(ctx, c.get('csrf'), {
        kind: c.req.query('notice'),
        dagId: c.req.query('dag'),
        runId: c.req.query('run'),
      }),
    ),
  );
  app.get('/datasets', async (c) => htmlOf(c, await datasetsPage(ctx)));
  app.get(
    '/dags/:dag/grid',
    withDag(async (c, dag) =>
      htmlOf(
        c,
        await gridPage(
          ctx,
          dag,
          parseGridQuery((n) => c.req.query(n)),
        ),
      ),
    ),
  );
  app.get(
    '/dags/:dag/grid/events',
    withDag(async (c, dag) => gridEvents(c, ctx, dag, c.req.query('since') ?? '')),
  );
  app.get(
    '/dags/:dag/durations',
    withDag(async (c, dag) => {
      const runs = Number(c.req.query('runs') ?? DURATION_RUNS);
      return htmlOf(
        c,
        await durationsPage(
          ctx,
          dag,
          Number.isInteger(runs) && runs > 0 ? Math.min(runs, 1000) : DURATION_RUNS,
        ),
      );
    }),
  );
  app.get(
    '/dags/:dag/runs/:run',
    withRun(async (c, dag, runId) =>
      htmlOf(c, await runPage(ctx, dag, (await ctx.engine.store.getRun(dag.id, runId))!)),
    ),
  );
  app.get(
    '/dags/:dag/runs/:run/graph',
    withRun(async (c, dag, runId) =>
      htmlOf(c, await graphPage(ctx, dag, (await ctx.engine.store.getRun(dag.id, runId))!)),
    ),
  );
  const withTask = (
    body: (
      c: Context<UiEnv>,
      dag: Dag,
      data: NonNullable<Awaited<ReturnType<typeof loadTask>>>,
    ) => Promise<Response>,
  ) =>
    withDag(async (c, dag) => {
      const data = await loadTask(ctx, dag, c.req.param('run') ?? '', c.req.param('task') ?? '');
      return data
        ? body(c, dag, data)
        : notFound(
            c,
            `DAG '${dag.id}' has no task instance '${c.req.param('task')}' in run '${c.req.param('run')}'.`,
          );
    });
  app.get(
    '/dags/:dag/runs/:run/tasks/:task',
    withTask(async (c, dag, data) =>
      htmlOf(
        c,
        await taskPage(
          ctx,
          dag,
          data,
          parseLogQuery((n) => c.req.query(n)),
          c.get('csrf'),
        ),
      ),
    ),
  );
  app.get(
    '/dags/:dag/runs/:run/tasks/:task/log.raw',
    withTask(async (c, _dag, data) => {
      const wanted = Number(c.req.query('try'));
      const t = data.tries.find((x) => x.tryNumber === wanted) ?? data.tries.at(-1);
      if (!t) return notFound(c, 'No try yet.');
      const read = await readLog(t.logPath, t);
      if (!read) return notFound(c, `The log file ${t.logPath} is not on this machine.`);
      const name = `${data.ti.dagId}_${data.run.runId}_${data.ti.taskId}_attempt=${t.tryNumber}.log`.replace(
        /[^\w.=-]+/g,
        '_',
      );
      return c.body(read.lines.map((l) => `${l}\n`).join(''), 200, {
        'Content-Type': 'application/x-ndjson; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}"`,
      });
    }),
  );
  app.get(
    '/dags/:dag/runs/:run/tasks/:task/log/stream',
    withTask(async (c, dag, data) => {
      const lq = parseLogQuery((n) => c.req.query(n));
      const offset = Number(c.req.query('offset'));
      const line = Number(c.req.query('line'));
      return followLog(c, ctx, dag, data.run.runId, data.ti.taskId, {
        tryNumber: lq.tryNumber ?? data.ti.tryNumber,
        offset: Number.isInteger(offset) && offset >= 0 ? offset : 0,
        line: Number.isInteger(line) && line > 0 ? line : 1,
        level: lq.level,
      });
    }),
  );

  app.post(
    '/dags/:dag/trigger',
    withDag(async (c, dag) => {
      const form = await c.req.parseBody();
      return c.redirect(await triggerAction(ctx, dag, text(form.date), text(form.params)), 303);
    }),
  );
  for (const [path, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    app.post(
      `/dags/:dag/${path}`,
      withDag(async (c, dag) => c.redirect(await pauseAction(ctx, dag, paused), 303)),
    );
  }
  app.post(
    '/dags/:dag/runs/:run/tasks/:task/clear',
    withTask(async (c, dag, data) => {
      const form = await c.req.parseBody();
      return c.redirect(
        await clearAction(ctx, dag, data.run, data.ti.taskId, text(form.downstream) === '1'),
        303,
      );
    }),
  );
  return app;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function notFound(c: Context<UiEnv>, message: string): Response {
  return c.html(errorPage('Not found', message).value, 404);
}

/** Wrong input: 400; the run is being executed by another process: 409; anything else: 500. */
function statusOf(error: unknown): 400 | 409 | 500 {
  const name = error instanceof Error ? error.name : '';
  if (['UsageError', 'InvalidInputError', 'NotFoundError', 'DagDefinitionError'].includes(name)) return 400;
  if (name === 'LeaseConflictError' || name === 'LeaseLostError') return 409;
  return 500;
}
