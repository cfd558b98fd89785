import type { BackfillDateResult } from '@streampro/engine';
import cliProgress from 'cli-progress';
import type { Palette } from './colors.js';

/** Progress of a backfill: a bar on a TTY, one line per finished date otherwise. */
export interface BackfillProgress {
  onRunDone(result: BackfillDateResult): void;
  stop(): void;
}

/** `--quiet`: no progress at all. */
export const quietProgress: BackfillProgress = { onRunDone() {}, stop() {} };

/**
 * `toRun`: the dates that execute (not those the plan skips): the bar and its ETA count only those, so a
 * skipped date does not look like finished work.
 */

export function progressBar(toRun: number, stream: NodeJS.WriteStream): BackfillProgress {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'backfill [{bar}] {value}/{total} runs | {failures} failed | {skipped} skipped | ETA {eta_formatted}',
      stream,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let failures = 0;
  let skipped = 0;
  bar.start(toRun, 0, { failures, skipped });
  return {
    onRunDone(result) {
      if (result.action === 'skip') {
        skipped++;
        bar.update({ failures, skipped });
        return;
      }
      if (result.state === 'failed' || result.state === 'interrupted') failures++;
      if (result.state === 'not_started') return;
      bar.increment(1, { failures, skipped });
    },
    stop: () => bar.stop(),
  };
}

export function progressLines(
  total: number,
  out: { write(text: string): void },
  p: Palette,
): BackfillProgress {
  let done = 0;
  return {
    onRunDone(r) {
      done++;
      const date = r.logicalDate.endsWith('T00:00:00.000Z') ? r.logicalDate.slice(0, 10) : r.logicalDate;
      const error = r.error ? `: ${r.error}` : '';
      const state =
        r.state === 'success' ? p.green(r.state) : r.state === 'skipped' ? p.dim(r.state) : p.red(r.state);
      out.write(`[${done}/${total}] ${date} ${r.action} ${state}${error}\n`);
    },
    stop() {},
  };
}
