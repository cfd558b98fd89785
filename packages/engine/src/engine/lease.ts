import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { LeaseConflictError } from '../model/errors.js';
import type { Fence, LeaseInfo } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';
import type { Clock } from '../time/clock.js';

/** Whether a process of this host is alive (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lease holder on this host whose process is gone can be replaced at once, without waiting for expiry. */
export function holderIsGone(holder: LeaseInfo, host: string): boolean {
  return holder.host === host && holder.pid !== process.pid && !processAlive(holder.pid);
}

export interface RunLeaseOptions {
  /**
   * Called once when a renewal finds the lease no longer ours (taken over, or released by someone else),
   * with who holds it now (null: nobody, or the store could not be read). Fenced writes fail with
   * `LeaseLostError` from then on. Runs from the background heartbeat, so it must not throw.
   */
  readonly onLost?: (holder: LeaseInfo | null) => void;
}

/** Our hold on a run's lease at one epoch, renewed in the background until released or lost. */
export class RunLease {
  #timer: NodeJS.Timeout | undefined;
  #lost = false;
  #released = false;
  /** What writes of this holder carry, so the store rejects them once the lease has moved on. */
  readonly fence: Fence;

  private constructor(
    private readonly store: RunStore,
    private readonly clock: Clock,
    readonly dagId: string,
    readonly runId: string,
    readonly owner: string,
    readonly epoch: number,
    readonly tookOverFrom: LeaseInfo | null,
    private readonly ttlMs: number,
    private readonly onLost: ((holder: LeaseInfo | null) => void) | undefined,
  ) {
    this.fence = { dagId, runId, owner, epoch };
  }

  static async acquire(
    store: RunStore,
    clock: Clock,
    dagId: string,
    runId: string,
    ttlMs: number,
    options: RunLeaseOptions = {},
  ): Promise<RunLease> {
    const host = os.hostname();
    const owner = `${host}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const now = clock.now();
    const result = await store.acquireLease(
      dagId,
      runId,
      {
        owner,
        host,
        pid: process.pid,
        now: new Date(now).toISOString(),
        expiresAt: new Date(now + ttlMs).toISOString(),
      },
      (holder) => holderIsGone(holder, host),
    );
    if (!result.acquired) {
      const h = result.holder;
      throw new LeaseConflictError(
        dagId,
        runId,
        `process ${h.pid} on ${h.host} (heartbeat ${h.heartbeatAt})`,
      );
    }
    const lease = new RunLease(
      store,
      clock,
      dagId,
      runId,
      owner,
      result.epoch,
      result.tookOverFrom,
      ttlMs,
      options.onLost,
    );
    lease.#start();
    return lease;
  }

  /** True when a renewal found the lease no longer held at our epoch. */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * Extends the lease now (the background heartbeat does so every ttl/3). False, and `lost` from then on,
   * when the lease is no longer ours at our epoch; false without a store call once lost or released.
   */
  async renew(): Promise<boolean> {
    if (this.#lost || this.#released) return false;
    const now = this.clock.now();
    const held = await this.store.renewLease(
      this.fence,
      new Date(now).toISOString(),
      new Date(now + this.ttlMs).toISOString(),
    );
    if (!held) await this.#markLost();
    return held;
  }

  #start(): void {
    // Real time, not the injectable clock: heartbeats guard against other processes, which share wall time.
    this.#timer = setInterval(
      () => {
        this.renew().catch(() => {
          // A failed heartbeat is retried at the next interval; the lease expires only after ttl.
        });
      },
      Math.max(1000, Math.floor(this.ttlMs / 3)),
    );
    this.#timer.unref();
  }

  /** A lost lease is never ours again (a new acquisition gets a new epoch): stop renewing, tell the owner. */
  async #markLost(): Promise<void> {
    // A renewal that lands after our own release finds the lease gone: that is not a loss.
    if (this.#lost || this.#released) return;
    this.#lost = true;
    clearInterval(this.#timer);
    if (!this.onLost) return;
    const holder = await this.store.getRun(this.dagId, this.runId).then(
      (run) => run?.lease ?? null,
      () => null,
    );
    this.onLost(holder);
  }

  /** Releases the lease if it is still ours at our epoch; a lost lease is left to its new holder. */
  async release(): Promise<void> {
    this.#released = true;
    clearInterval(this.#timer);
    await this.store.releaseLease(this.fence);
  }
}
