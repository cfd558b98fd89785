import type { Dag } from '@streampro/engine';
import type { Context } from 'hono';
import type { UiContext } from '../context.js';
import { h } from '../html.js';
import { storeDigest } from '../live.js';
import { type LogLevelFilter, levelShown, lineRow, parseLine, readLogFrom } from '../log-view.js';
import { pollingStream } from '../sse.js';

/**
 * The grid's live refresh: `changed` once what the grid shows changed since the page's digest (the
 * browser then reloads the grid), `done` when no run is active any more. Nothing is sent otherwise.
 */
export function gridEvents(c: Context, ctx: UiContext, dag: Dag, since: string): Response {
  return pollingStream(c, ctx, async (send) => {
    const now = await storeDigest(ctx.engine.store, dag.id);
    if (now.digest !== since) {
      await send('changed', now.digest);
      return false;
    }
    if (!now.active) {
      await send('done', 'no active run');
      return false;
    }
    return true;
  });
}

export interface FollowQuery {
  readonly tryNumber: number;
  readonly offset: number;
  readonly line: number;
  readonly level: LogLevelFilter;
}

/**
 * Follows a running try's log: sends the lines appended after `offset` as table rows (`lines`) until the
 * try ended and its file has no more lines (`done`, with how it ended).
 */
export function followLog(
  c: Context,
  ctx: UiContext,
  dag: Dag,
  runId: string,
  taskId: string,
  q: FollowQuery,
): Response {
  let offset = q.offset;
  let n = q.line;
  let file: string | undefined;
  return pollingStream(c, ctx, async (send) => {
    const tries = await ctx.engine.store.listTries(dag.id, runId, taskId);
    const t = tries.find((x) => x.tryNumber === q.tryNumber);
    if (!t) {
      await send('done', `no try ${q.tryNumber}`);
      return false;
    }
    file ??= t.logPath;
    const read = await readLogFrom(file, offset, t);
    offset = read.bytes;
    const rows = read.lines.map((text) => parseLine(n++, text)).filter((l) => levelShown(l.level, q.level));
    if (rows.length) await send('lines', h`${rows.map((l) => lineRow(l, ''))}`.value);
    if (t.state !== 'running' && read.lines.length === 0) {
      await send('done', `try ${t.tryNumber} ended: ${t.state}`);
      return false;
    }
    return true;
  });
}
