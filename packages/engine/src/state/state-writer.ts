import type { Fence, StateChange } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';

/**
 * The one writer of run state: changes are staged (task and run changes only as built by `transitions.ts`)
 * and committed in one transaction that carries the run's lease fence, so the store rejects every write of
 * an owner that lost its lease (`LeaseLostError`) and nothing of that batch is stored.
 */
export class StateWriter {
  #pending: StateChange[] = [];

  constructor(
    private readonly store: RunStore,
    /** Undefined only for writes that need no lease (none today but tests). */
    private readonly fence: Fence | undefined,
  ) {}

  stage(...changes: StateChange[]): void {
    for (const c of changes) this.#pending.push(c);
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Commits what is staged, in order, in one transaction. */
  async commit(): Promise<void> {
    const changes = this.#pending;
    this.#pending = [];
    await this.store.apply(changes, this.fence);
  }
}
