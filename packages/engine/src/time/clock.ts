/** Time source and timers, injectable so tests of retries and timeouts need no real sleeps. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels the timer. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told. With `autoAdvance`, whenever timers are pending and the event loop has
 * drained (no ready callbacks, no file-system request in flight), it jumps to the earliest timer, so a run
 * with retry delays of hours finishes at once while the delays it waited are still observable through `now()`.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];
  #scheduled = false;
  readonly #autoAdvance: boolean;

  constructor(start = Date.UTC(2025, 0, 1), options: { autoAdvance?: boolean } = {}) {
    this.#now = start;
    this.#autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    this.#kick();
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#earliest();
      if (!next || next.at > target) break;
      this.#fire(next);
    }
    this.#now = target;
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  #earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers)
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  #fire(timer: PendingTimer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#now = Math.max(this.#now, timer.at);
    timer.fn();
  }

  #kick(): void {
    if (!this.#autoAdvance || this.#scheduled) return;
    this.#scheduled = true;
    // setTimeout(0) then setImmediate lets ready callbacks, microtasks and one poll phase run first; while
    // file-system or DNS requests are still in flight the loop is not idle, so look again on a later turn.
    setTimeout(() => {
      setImmediate(() => {
        this.#scheduled = false;
        if (ioInFlight()) {
          this.#kick();
          return;
        }
        const next = this.#earliest();
        if (next) {
          this.#fire(next);
          if (this.#timers.length > 0) this.#kick();
        }
      });
    }, 0);
  }
}

/**
 * Whether libuv requests (file system, DNS, socket writes) are pending. Waits on sockets for data have no
 * request, so a test task awaiting a network reply with a deadline should use a clock without autoAdvance.
 */
function ioInFlight(): boolean {
  return process.getActiveResourcesInfo().some((r) => /Req|^(Write|Shutdown|Connect)Wrap$/.test(r));
}
