import type { PoolClaim } from '../store/pool-records.js';
import type { RunStore } from '../store/run-store.js';
import type { Clock } from '../time/clock.js';

/** How often an engine re-reads which pools the store bounds (`dag pools set` takes effect within this). */
export const POOL_REFRESH_MS = 2_000;
/** How soon a run whose claim was refused asks again (a slot freed by another process sends no signal). */
export const POOL_RETRY_MS = 500;

/**
 * The pools of the run store, as one engine sees them: which pools are bounded (a snapshot re-read at most
 * every `POOL_REFRESH_MS`), claims of their slots through the store, and a signal to this engine's other
 * runs when one of its tries frees a slot. A try of a bounded pool is queued only once its claim is granted,
 * so a pool of 1 never has two tries at once across every scheduler, `dag run` and worker on the store.
 */
export class StoredPools {
  #bounded: ReadonlySet<string> = new Set();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | null = null;
  readonly #waiters = new Set<() => void>();

  constructor(
    private readonly store: RunStore,
    private readonly clock: Clock,
  ) {}

  /** Re-reads the bounded pools when the snapshot is older than `POOL_REFRESH_MS`. */
  refresh(): Promise<void> | undefined {
    if (this.clock.now() - this.#loadedAt < POOL_REFRESH_MS) return undefined;
    this.#loading ??= (async () => {
      try {
        const pools = await this.store.listPools(new Date(this.clock.now()).toISOString());
        this.#bounded = new Set(pools.map((p) => p.name));
        this.#loadedAt = this.clock.now();
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /** Whether tries of `pool` need a claim (the store has a row for it). */
  bounded(pool: string): boolean {
    return this.#bounded.has(pool);
  }

  claim(claims: readonly PoolClaim[]): Promise<boolean[]> {
    return this.store.claimPoolSlots(claims, new Date(this.clock.now()).toISOString());
  }

  /** A try of this engine in `pool` ended and its end is committed: runs waiting for that pool ask again. */
  released(pool: string): void {
    if (!this.#bounded.has(pool)) return;
    for (const wake of this.#waiters) wake();
  }

  /** Calls `wake` when a slot of a stored pool was freed here; returns the unsubscribe function. */
  subscribe(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }
}
