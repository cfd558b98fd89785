import { dagFolderSignature, type LoadedDags } from '../discovery/load-dags.js';
import { EXIT, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { UiArgs } from '../options.js';
import { println } from '../output.js';
import { withSession } from '../session.js';
import { createUiApp } from '../ui/app.js';
import { assertBindAllowed, isLoopback } from '../ui/auth.js';
import type { UiContext } from '../ui/context.js';
import { CsrfGuard } from '../ui/csrf.js';
import { listen } from '../ui/server.js';

/** How often live views look at the store and log files. */
const POLL_MS = 500;

/**
 * `dag ui`: the web interface over the state this CLI uses, until Ctrl-C / SIGTERM. Reads through the
 * store; its actions are the engine calls of `dag trigger`, `dag clear` and `dag pause`.
 */
export async function execute(args: UiArgs, io: Io): Promise<number> {
  const port = args.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${port}`);
  }
  const token = args.token || io.env.STREAMPRO_UI_TOKEN || undefined;
  assertBindAllowed(args.host, token);
  return withSession(args, io, async (s) => {
    const engine = await s.engine();
    let signature = dagFolderSignature(s.locations.dagsFolder);
    let reloading: Promise<LoadedDags> | undefined;
    const stopped = new AbortController();
    const ctx: UiContext = {
      engine,
      // A DAG file added, removed or edited shows at the next page, like the scheduler picks it up.
      async dags() {
        const now = dagFolderSignature(s.locations.dagsFolder);
        if (now !== signature) {
          signature = now;
          reloading ??= s.reloadDags().finally(() => {
            reloading = undefined;
          });
        }
        return reloading ?? s.loaded;
      },
      cwd: io.cwd,
      csrf: new CsrfGuard(),
      pollMs: POLL_MS,
      signal: stopped.signal,
      now: () => new Date(),
    };
    const app = createUiApp(ctx, { token, loopback: isLoopback(args.host) });
    const server = await listen(app, args.host, port);
    const url = token ? `${server.url}?token=${encodeURIComponent(token)}` : server.url;
    println(io, `dag ui: serving ${s.loaded.dags.size} DAG(s) at ${url}`);
    println(io, 'press Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    stopped.abort();
    await server.close();
    return EXIT.ok;
  });
}
