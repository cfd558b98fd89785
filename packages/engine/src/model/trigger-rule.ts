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
  | 'always'
  | 'one_done'
  | 'all_skipped'
  | 'all_done_min_one_success'
  | 'all_done_setup_success';

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
  'one_done',
  'all_skipped',
  'all_done_min_one_success',
  'all_done_setup_success',
] as const satisfies readonly TriggerRule[];

export function isTriggerRule(value: unknown): value is TriggerRule {
  return typeof value === 'string' && (TRIGGER_RULES as readonly string[]).includes(value);
}
