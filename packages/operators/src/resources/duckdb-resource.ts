import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineResource, type Resource } from '@streampro/engine';
import { DuckDBSession } from '../duckdb/session.js';
import type { WorkSessionOptions } from '../duckdb/work-session.js';

export interface DuckDBResourceOptions extends Omit<WorkSessionOptions, 'cacheDir'> {
  /** Name prefix of the try's work folder. @default 'streampro-duckdb-' */
  readonly label?: string;
}

interface Held {
  readonly dir: string;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

/**
 * A DuckDB session as a DAG resource, with the settings of `withWorkSession`: a fresh work folder per try
 * that DuckDB spills into, the try's signal interrupting the running statement, and the session and folder
 * removed after the try.
 */
export function duckdbResource(options: DuckDBResourceOptions = {}): Resource<DuckDBSession> {
  const held = new WeakMap<DuckDBSession, Held>();
  return defineResource<DuckDBSession>({
    description: 'a DuckDB session spilling into a work folder of its own, removed after the try',
    async open(ctx) {
      ctx.signal.throwIfAborted();
      const dir = await mkdtemp(path.join(options.workDir ?? tmpdir(), options.label ?? 'streampro-duckdb-'));
      let session: DuckDBSession;
      try {
        session = await DuckDBSession.create({
          tempDirectory: path.join(dir, 'spill'),
          memoryLimit: options.memoryLimit ?? '1GB',
          ...(options.threads !== undefined ? { threads: options.threads } : {}),
        });
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      const onAbort = (): void => session.interrupt();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      held.set(session, { dir, signal: ctx.signal, onAbort });
      return session;
    },
    async close(session) {
      const h = held.get(session);
      session.close();
      if (!h) return;
      held.delete(session);
      h.signal.removeEventListener('abort', h.onAbort);
      await rm(h.dir, { recursive: true, force: true });
    },
  });
}
