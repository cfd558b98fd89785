/** What `dag run --json` reports per task; timestamps are ISO strings (millisecond resolution). */
export interface TaskTiming {
  readonly taskId: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
}

export interface Overhead {
  /** Run start to run end, ms. */
  readonly windowMs: number;
  /** Sum of the task durations along the critical path, ms. */
  readonly busyMs: number;
  /** windowMs − busyMs: run start to first task start, gaps between dependent tasks, last end to run end. */
  readonly overheadMs: number;
  readonly path: readonly string[];
}

/**
 * Orchestration overhead along the critical path: the chain ending at the last task to finish, each step
 * back taking the upstream task that finished last (the one the dependent actually waited for).
 */
export function criticalPathOverhead(
  run: { startedAt: string; endedAt: string },
  tasks: readonly TaskTiming[],
  upstream: ReadonlyMap<string, readonly string[]>,
): Overhead {
  const span = new Map<string, { start: number; end: number }>();
  for (const t of tasks) {
    if (t.startedAt === null || t.endedAt === null) throw new Error(`task ${t.taskId} did not run`);
    span.set(t.taskId, { start: Date.parse(t.startedAt), end: Date.parse(t.endedAt) });
  }
  const end = (id: string) => span.get(id)!.end;
  let current = [...span.keys()].reduce((a, b) => (end(b) > end(a) ? b : a));
  const path = [current];
  for (;;) {
    const ups = upstream.get(current) ?? [];
    if (ups.length === 0) break;
    current = ups.reduce((a, b) => (end(b) > end(a) ? b : a));
    path.unshift(current);
  }
  const busyMs = path.reduce((sum, id) => sum + (span.get(id)!.end - span.get(id)!.start), 0);
  const windowMs = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  return { windowMs, busyMs, overheadMs: windowMs - busyMs, path };
}

/** Edges from `dag graph <dag> --format dot` (`"a" -> "b";`) as task -> its upstream tasks. */
export function upstreamFromDot(dot: string): Map<string, string[]> {
  const upstream = new Map<string, string[]>();
  for (const m of dot.matchAll(/"([^"]+)"\s*->\s*"([^"]+)"/g)) {
    const list = upstream.get(m[2]!) ?? [];
    list.push(m[1]!);
    upstream.set(m[2]!, list);
  }
  return upstream;
}
