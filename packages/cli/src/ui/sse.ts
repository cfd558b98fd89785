import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { UiContext } from './context.js';

/** Sends one event of a stream. */
export type Send = (event: string, data: string) => Promise<void>;

/**
 * A server-sent event stream that calls `step` every `ctx.pollMs` until it returns false, the browser goes
 * away, or the server stops. Live views poll the store rather than the engine: the writers are other
 * processes (`dag run`, schedulers, workers), and polling a few rows a second is what SQLite readers do best.
 */
export function pollingStream(c: Context, ctx: UiContext, step: (send: Send) => Promise<boolean>): Response {
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    const stop = new AbortController();
    const onServerStop = (): void => stop.abort();
    ctx.signal.addEventListener('abort', onServerStop, { once: true });
    stream.onAbort(() => stop.abort());
    const send: Send = (event, data) => stream.writeSSE({ event, data });
    try {
      while (!stop.signal.aborted) {
        if (!(await step(send))) break;
        await sleep(ctx.pollMs, stop.signal);
      }
    } finally {
      ctx.signal.removeEventListener('abort', onServerStop);
    }
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
