import type { EngineEvent } from '@streampro/engine';
import { createLogUpdate } from 'log-update';
import { type Palette, stateColor } from './colors.js';

/** Receives engine events while runs execute and shows them. */
export interface LiveView {
  onEvent(event: EngineEvent): void;
  /** Draws the final state and releases the terminal. */
  stop(): void;
}

export interface LiveViewTarget {
  write(text: string): void;
}

/** Not a TTY: one line per state change, so logs of CI jobs read as a timeline. */
export function lineView(out: LiveViewTarget, p: Palette): LiveView {
  const label = new Map<string, string>();
  return {
    onEvent(e) {
      const time = new Date().toISOString().slice(11, 19);
      if (e.type === 'run-state') {
        label.set(e.runId, `${e.dagId} ${dateText(e.logicalDate)}`);
        out.write(`${time} ${e.dagId} ${dateText(e.logicalDate)} run ${stateColor(p, e.state)(e.state)}\n`);
      } else if (e.type === 'task-state') {
        const run = label.get(e.runId) ?? `${e.dagId} ${e.runId}`;
        const tryText = e.tryNumber > 0 ? ` (try ${e.tryNumber})` : '';
        const error = e.error ? `: ${e.error}` : '';
        out.write(`${time} ${run} ${e.taskId} ${stateColor(p, e.state)(e.state)}${tryText}${error}\n`);
      } else {
        out.write(`${time} ${e.dagId} ${dateText(e.logicalDate)} skipped: ${e.reason}\n`);
      }
    },
    stop() {},
  };
}

interface RunBoard {
  title: string;
  runState: string;
  tasks: Map<string, { state: string; tryNumber: number }>;
}

const ACTIVE = new Set(['running', 'queued', 'up_for_retry', 'failed']);

/**
 * A TTY: a compact block per run (counts, then active and failed tasks) redrawn in place by log-update,
 * which wraps lines to the terminal's width and erases the rows they took, so a narrow terminal shows one
 * frame, not a stack of them.
 */
export function ttyView(out: NodeJS.WriteStream, p: Palette, throttleMs = 80): LiveView {
  const boards = new Map<string, RunBoard>();
  const update = createLogUpdate(out, { showCursor: true });
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    const lines: string[] = [];
    for (const b of boards.values()) lines.push(...boardLines(b, p));
    update(lines.join('\n'));
  };
  return {
    onEvent(e) {
      if (e.type === 'run-skipped') return;
      const board = boards.get(e.runId) ?? {
        title: `${e.dagId} ${e.runId}`,
        runState: 'queued',
        tasks: new Map(),
      };
      boards.set(e.runId, board);
      if (e.type === 'run-state') {
        board.title = `${e.dagId} ${dateText(e.logicalDate)}`;
        board.runState = e.state;
      } else {
        board.tasks.set(e.taskId, { state: e.state, tryNumber: e.tryNumber });
      }
      timer ??= setTimeout(draw, throttleMs);
    },
    stop() {
      if (timer) clearTimeout(timer);
      if (boards.size > 0) draw();
      // The last frame stays on screen; what is printed next goes below it.
      update.done();
    },
  };
}

function boardLines(b: RunBoard, p: Palette): string[] {
  const counts = new Map<string, number>();
  for (const t of b.tasks.values()) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => stateColor(p, s)(`${s} ${n}`)).join('  ');
  const lines = [`${p.bold(b.title)} ${stateColor(p, b.runState)(b.runState)}  ${summary}`];
  for (const [id, t] of b.tasks) {
    if (ACTIVE.has(t.state))
      lines.push(`  ${stateColor(p, t.state)(t.state.padEnd(12))} ${id} (try ${t.tryNumber})`);
  }
  return lines;
}

function dateText(iso: string): string {
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}
