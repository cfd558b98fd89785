import type { Dag, Engine } from '@streampro/engine';
import type { LoadedDags } from '../discovery/load-dags.js';
import type { CsrfGuard } from './csrf.js';

/** What the routes of the interface use: the engine (reads through its store, actions through it), DAGs. */
export interface UiContext {
  readonly engine: Engine;
  /** The DAGs of the folder; loaded again when a DAG file changed. */
  dags(): Promise<LoadedDags>;
  /** For paths shown relative to where `dag ui` started. */
  readonly cwd: string;
  readonly csrf: CsrfGuard;
  /** How often live views (grid, log follow) look at the store and the log file. */
  readonly pollMs: number;
  /** Aborted when the server stops: open event streams end. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
}

/** The DAG of this id, or undefined (the route answers 404). */
export async function findDag(ctx: UiContext, dagId: string): Promise<Dag | undefined> {
  return (await ctx.dags()).dags.get(dagId);
}
