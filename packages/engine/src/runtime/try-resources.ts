import type { TaskLogger } from '../logging/logger.js';
import type { ResourceContext, ResourceSpecs } from '../model/resource.js';

/** A resource opened (or being opened) for the current try. */
interface Opened {
  readonly name: string;
  readonly value: Promise<unknown>;
}

/**
 * The resources of one try: `handles` is the task's `ctx.resources`, each name opened on first access and
 * kept for the rest of the try; `close` releases what was opened, last opened first. Only resources the body
 * reads are opened, so a task that never touches the lake never connects to it.
 */
export class TryResources {
  readonly handles: Readonly<Record<string, Promise<unknown>>>;
  readonly #opened: Opened[] = [];
  readonly #specs: ResourceSpecs;

  constructor(specs: ResourceSpecs, ctx: ResourceContext) {
    this.#specs = specs;
    const handles: Record<string, Promise<unknown>> = {};
    for (const name of Object.keys(specs)) {
      let value: Promise<unknown> | undefined;
      Object.defineProperty(handles, name, {
        enumerable: true,
        get: () => {
          if (!value) {
            const opening = Promise.resolve().then(() => specs[name]!.open(ctx));
            // A body that reads a handle without awaiting it must not crash the process when it rejects.
            opening.catch(() => {});
            this.#opened.push({ name, value: opening });
            value = opening.catch((error: unknown) => {
              ctx.log.error(`resource '${name}' could not be opened`, { resource: name });
              throw error;
            });
            value.catch(() => {});
          }
          return value;
        },
      });
    }
    this.handles = Object.freeze(handles);
  }

  /**
   * Closes every resource the try opened, in reverse order; waits for one still opening. A close that fails
   * is logged as a warning and the next one still closes: the try's outcome is already decided.
   */
  async close(log: TaskLogger): Promise<void> {
    for (const { name, value } of this.#opened.splice(0).reverse()) {
      let opened: unknown;
      try {
        opened = await value;
      } catch {
        continue; // it never opened: nothing to release
      }
      const close = this.#specs[name]!.close;
      if (!close) continue;
      try {
        await close(opened);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.warn(`resource '${name}' failed to close: ${message}`, { resource: name });
      }
    }
  }
}
