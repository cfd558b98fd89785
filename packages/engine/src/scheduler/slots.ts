/**
 * Pool slots shared by every run an engine executes: a pool of 1 (e.g. for DuckDB) admits one task at a time
 * across concurrent backfill runs. Pools that were not configured are unbounded.
 */
export class PoolSlots {
  readonly #size = new Map<string, number>();
  readonly #used = new Map<string, number>();
  readonly #waiters = new Set<() => void>();

  constructor(pools: Readonly<Record<string, number>> = {}) {
    for (const [name, size] of Object.entries(pools)) {
      if (!Number.isInteger(size) || size < 1) {
        throw new RangeError(`pool '${name}' must have a positive integer number of slots, got ${size}`);
      }
      this.#size.set(name, size);
    }
  }

  capacity(pool: string): number {
    return this.#size.get(pool) ?? Number.POSITIVE_INFINITY;
  }

  tryAcquire(pool: string): boolean {
    const used = this.#used.get(pool) ?? 0;
    if (used >= this.capacity(pool)) return false;
    this.#used.set(pool, used + 1);
    return true;
  }

  /** Frees a slot; `wake` false frees it without waking waiters (a slot taken back before it was used). */
  release(pool: string, wake = true): void {
    const used = this.#used.get(pool) ?? 0;
    this.#used.set(pool, Math.max(0, used - 1));
    if (wake && this.#size.has(pool)) for (const w of this.#waiters) w();
  }

  /** Calls `wake` whenever a slot of a bounded pool frees up; returns the unsubscribe function. */
  subscribe(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }

  inUse(pool: string): number {
    return this.#used.get(pool) ?? 0;
  }
}
