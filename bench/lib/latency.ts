import type { EngineEvent } from '@streampro/engine';
import { percentile } from './stats.js';

/**
 * Task-start latency from the engine's events: for each task with upstream tasks, the time from its last
 * upstream task's `success` to its own `running`. Timestamps are taken with performance.now() when the
 * event arrives (the events' ISO strings have millisecond resolution only).
 */
export class StartLatency {
  readonly #succeeded = new Map<string, number>();
  readonly #running = new Map<string, number>();

  readonly onEvent = (e: EngineEvent): void => {
    if (e.type !== 'task-state') return;
    if (e.state === 'success') this.#succeeded.set(e.taskId, performance.now());
    else if (e.state === 'running') this.#running.set(e.taskId, performance.now());
  };

  /** p50 and p99 in ms over every task that has upstream tasks. */
  summary(upstream: ReadonlyMap<string, readonly string[]>): { p50: number; p99: number; count: number } {
    const gaps: number[] = [];
    for (const [taskId, ups] of upstream) {
      if (ups.length === 0) continue;
      const started = this.#running.get(taskId);
      if (started === undefined) throw new Error(`no running event for ${taskId}`);
      let ready = Number.NEGATIVE_INFINITY;
      for (const u of ups) {
        const t = this.#succeeded.get(u);
        if (t === undefined) throw new Error(`no success event for ${u}`);
        ready = Math.max(ready, t);
      }
      gaps.push(started - ready);
    }
    gaps.sort((a, b) => a - b);
    return { p50: percentile(gaps, 50), p99: percentile(gaps, 99), count: gaps.length };
  }
}
