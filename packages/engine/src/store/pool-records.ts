import type { TaskInstanceRecord } from './records.js';

/** A pool stored in the run store (`dag pools set`): every scheduler and `dag run` on this store obeys it. */
export interface PoolRecord {
  readonly name: string;
  /** Tries of tasks in this pool that may be queued or running at once, across every process. */
  readonly slots: number;
  readonly description: string;
  readonly updatedAt: string;
}

/** A pool with what occupies it now. */
export interface PoolUsage extends PoolRecord {
  /** Slots taken: tries queued or running, and claims about to be queued. */
  readonly occupied: number;
  readonly queued: number;
  readonly running: number;
}

/** A request for one slot, made by the run's owner just before it marks the try `queued`. */
export interface PoolClaim {
  readonly pool: string;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** The number of the try that will occupy the slot (the task instance's try number + 1 until queued). */
  readonly tryNumber: number;
}

/**
 * How long a claim whose try is not yet queued keeps its slot: the owner commits `queued` right after it
 * claims, so a claim older than this belongs to an owner that died in between and frees its slot.
 */
export const PENDING_CLAIM_MS = 30_000;

/** The instant before which a pending claim made by `now` no longer holds its slot. */
export function pendingSince(now: string): string {
  return new Date(Date.parse(now) - PENDING_CLAIM_MS).toISOString();
}

/** States of a task instance whose claim for its next try is still pending (not yet queued). */
export const PENDING_CLAIM_STATES = ['none', 'scheduled', 'up_for_retry'] as const;

/**
 * Whether a stored claim takes a slot now: its try is queued or running, or it is about to be (claimed
 * less than `PENDING_CLAIM_MS` ago, the instance still one try behind). The SQL stores express the same.
 */
export function claimOccupies(
  claim: PoolClaim & { readonly claimedAt: string },
  ti: TaskInstanceRecord | undefined,
  now: string,
): 'queued' | 'running' | 'pending' | undefined {
  if (!ti) return undefined;
  if (ti.tryNumber === claim.tryNumber && (ti.state === 'queued' || ti.state === 'running')) return ti.state;
  const pending = (PENDING_CLAIM_STATES as readonly string[]).includes(ti.state);
  if (
    pending &&
    ti.tryNumber === claim.tryNumber - 1 &&
    Date.parse(claim.claimedAt) > Date.parse(now) - PENDING_CLAIM_MS
  ) {
    return 'pending';
  }
  return undefined;
}

/** Checks a pool's name and slot count, as `dag pools set` and every store do. */
export function assertValidPool(name: string, slots: number): void {
  if (!/^[A-Za-z0-9_.-]{1,250}$/.test(name)) {
    throw new RangeError(`pool name '${name}' must be 1-250 letters, digits, '_', '.' or '-'`);
  }
  if (!Number.isInteger(slots) || slots < 0) {
    throw new RangeError(`pool '${name}' needs a whole number of slots >= 0, got ${slots}`);
  }
}

/**
 * The pools of a run store. A task whose pool has no row here is not limited by the store (only by the
 * engine's own `pools` option, if any).
 */
export interface PoolStore {
  /** Creates or updates a pool. Lowering the slots below what is occupied stops new claims only. */
  setPool(name: string, slots: number, description: string, at: string): Promise<PoolRecord>;
  /** Deletes a pool (its tasks are unbounded again); false when there was none. */
  deletePool(name: string): Promise<boolean>;
  /** Every stored pool with its occupancy at `now`, by name. */
  listPools(now: string): Promise<PoolUsage[]>;
  /**
   * Claims one slot per claim, in order, in one transaction that serialises every claimant of the same
   * pools: a claim is granted when its pool has no row, or when fewer than `slots` are occupied (a claim of
   * the same task instance replaces the old one). Two processes never both get the last slot.
   */
  claimPoolSlots(claims: readonly PoolClaim[], now: string): Promise<boolean[]>;
}
