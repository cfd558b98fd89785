import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { LeaseConflictError } from '../model/errors.js';
import type { LeaseInfo } from '../store/records.js';
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

/** Our hold on a run's lease, renewed in the background until released. */
export class RunLease {
  #timer: NodeJS.Timeout | undefined;
  #lost = false;

  private constructor(
    private readonly store: RunStore,
    private readonly clock: Clock,
    readonly dagId: string,
    readonly runId: string,
    readonly owner: string,
    readonly tookOverFrom: LeaseInfo | null,
    private readonly ttlMs: number,
  ) {}

  static async acquire(
    store: RunStore,
    clock: Clock,
    dagId: string,
    runId: string,
    ttlMs: number,
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
    const lease = new RunLease(store, clock, dagId, runId, owner, result.tookOverFrom, ttlMs);
    lease.#start();
    return lease;
  }

  /** True when a renewal found the lease taken by someone else. */
  get lost(): boolean {
    return this.#lost;
  }

  #start(): void {
    // Real time, not the injectable clock: heartbeats guard against other processes, which share wall time.
    this.#timer = setInterval(
      () => {
        const now = this.clock.now();
        this.store
          .renewLease(
            this.dagId,
            this.runId,
            this.owner,
            new Date(now).toISOString(),
            new Date(now + this.ttlMs).toISOString(),
          )
          .then((held) => {
            if (!held) this.#lost = true;
          })
          .catch(() => {
            // A failed heartbeat is retried at the next interval; the lease expires only after ttl.
          });
      },
      Math.max(1000, Math.floor(this.ttlMs / 3)),
    );
    this.#timer.unref();
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.store.releaseLease(this.dagId, this.runId, this.owner);
  }
}
