import type { TaskState } from '@streampro/engine';

/**
 * How a state looks: a glyph (so colour is never the only cue) and a label for screen readers. Run states
 * are a subset of task states, so one table serves both. Colours are in the stylesheet (`.s-<state>`).
 */
export interface StateLook {
  readonly glyph: string;
  readonly label: string;
}

export const STATE_LOOK: Readonly<Record<TaskState, StateLook>> = {
  none: { glyph: '·', label: 'no status' },
  scheduled: { glyph: '◷', label: 'scheduled' },
  queued: { glyph: '…', label: 'queued' },
  running: { glyph: '▶', label: 'running' },
  success: { glyph: '✓', label: 'success' },
  failed: { glyph: '✕', label: 'failed' },
  up_for_retry: { glyph: '↻', label: 'up for retry' },
  upstream_failed: { glyph: '!', label: 'upstream failed' },
  skipped: { glyph: '»', label: 'skipped' },
};

export const stateClass = (state: TaskState): string => `s-${state}`;

/** Fill and stroke of SVG shapes by state (light fills keep dark labels readable). */
export const SVG_COLOURS: Readonly<Record<TaskState, { fill: string; stroke: string }>> = {
  none: { fill: '#f4f4f4', stroke: '#6b6b6b' },
  scheduled: { fill: '#efe7e1', stroke: '#6d4c41' },
  queued: { fill: '#ececec', stroke: '#555555' },
  running: { fill: '#dbe9fb', stroke: '#1558b0' },
  success: { fill: '#dcf1e0', stroke: '#1b7a34' },
  failed: { fill: '#fbdcdc', stroke: '#b3261e' },
  up_for_retry: { fill: '#fde6d2', stroke: '#a84300' },
  upstream_failed: { fill: '#f6e3c6', stroke: '#8a5300' },
  skipped: { fill: '#f8dbe9', stroke: '#a3125a' },
};

/** Worst first: what a collapsed task group shows for its tasks. */
const SEVERITY: readonly TaskState[] = [
  'failed',
  'upstream_failed',
  'up_for_retry',
  'running',
  'queued',
  'scheduled',
  'none',
  'skipped',
  'success',
];

export function worstState(states: readonly TaskState[]): TaskState {
  let best = SEVERITY.length - 1;
  for (const s of states) best = Math.min(best, SEVERITY.indexOf(s));
  return states.length === 0 ? 'none' : SEVERITY[best]!;
}
