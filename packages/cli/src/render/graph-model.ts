/** What graph renderers need from a DAG: kept structural so they are pure and testable without the engine. */
export interface GraphTask {
  readonly id: string;
  readonly group: string | undefined;
  readonly upstreamIds: readonly string[];
}

export interface GraphView {
  readonly dagId: string;
  /** Tasks in declaration order. */
  readonly tasks: readonly GraphTask[];
  /** Task ids layer by layer: every task's upstream tasks are in earlier layers. */
  readonly layers: readonly (readonly string[])[];
}
