/**
 * The web interface of `dag ui` as a library, for this repository's benchmarks and embedding:
 *
 * ```ts
 * const app = createUiApp({ engine, dags: async () => loaded, cwd, csrf: new CsrfGuard(), pollMs: 500,
 *   signal, now: () => new Date() }, { token: undefined, loopback: true });
 * const page = await app.request('/dags/streampro/grid', { headers: { host: 'localhost' } });
 * ```
 *
 * Pages read the engine's store; actions go through the engine. `dag ui` adds the listening socket.
 */
export { createUiApp, type UiAppOptions } from './app.js';
export type { UiContext } from './context.js';
export { CsrfGuard } from './csrf.js';
