import { MapExpansionError } from '../model/errors.js';
import { isFailedState, type TaskState } from '../model/states.js';
import type { TaskDefinition } from '../model/task.js';

/** What a mapped task becomes once its `over` upstream succeeded with `output`. */
export type Expansion =
  | { readonly kind: 'expand'; readonly items: readonly unknown[] }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'fail'; readonly error: MapExpansionError };

/** Decides how a mapped task expands over its upstream's output: one instance per element, within its limit. */
export function expansionOf(def: TaskDefinition, output: unknown): Expansion {
  const map = def.map!;
  if (!Array.isArray(output)) {
    const got = output === null ? 'null' : typeof output;
    return {
      kind: 'fail',
      error: new MapExpansionError(
        def.id,
        `mapped task ${def.id} needs an array from ${map.overId}, got ${got}; make ${map.overId} return an array`,
      ),
    };
  }
  if (output.length === 0) return { kind: 'skip', reason: `${map.overId} returned an empty array` };
  if (output.length > map.maxLength) {
    return {
      kind: 'fail',
      error: new MapExpansionError(
        def.id,
        `mapped task ${def.id} would expand into ${output.length} instances, more than its limit of ${map.maxLength}; raise maxMapLength on ${def.id} or return fewer items from ${map.overId}`,
      ),
    };
  }
  return { kind: 'expand', items: output };
}

/**
 * The state of a mapped task once all its instances are final: failed when any failed (or was
 * upstream_failed), skipped when all were skipped, else success.
 */
export function mappedOutcome(states: readonly TaskState[]): {
  readonly state: 'success' | 'failed' | 'skipped';
  readonly error?: string;
} {
  const failed = states.flatMap((s, i) => (isFailedState(s) ? [i] : []));
  if (failed.length > 0) {
    const shown = failed.slice(0, 10).join(', ');
    const more = failed.length > 10 ? `, … (${failed.length - 10} more)` : '';
    return {
      state: 'failed',
      error: `${failed.length} of ${states.length} mapped instances failed: index ${shown}${more}`,
    };
  }
  if (states.every((s) => s === 'skipped')) return { state: 'skipped' };
  return { state: 'success' };
}
