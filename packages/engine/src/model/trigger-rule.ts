/** When a task runs, given the final states of its upstream tasks. Semantics follow Airflow's. */
export type TriggerRule =
  | 'all_success'
  | 'all_failed'
  | 'all_done'
  | 'one_success'
  | 'one_failed'
  | 'none_failed'
  | 'none_failed_min_one_success'
  | 'none_skipped'
  | 'always';

export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'one_success',
  'one_failed',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
  'always',
] as const satisfies readonly TriggerRule[];

export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === 'string' && (TRIGGER_RULES as readonly string[]).includes(value);
}
