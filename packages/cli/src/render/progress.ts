import type { BackfillDateResult } from '@streampro/engine';
import cliProgress from 'cli-progress';
import type { Palette } from './colors.js';

/** Progress of a backfill: a bar on a TTY, one line per finished date otherwise. */
export interface BackfillProgress {
  onRunDone(result: BackfillDateResult): void;
  stop(): void;
}

export function progressBar(total: number, stream: NodeJS.WriteStream): BackfillProgress {
  const bar = new cliProgress.SingleBar(
    {
      format: 'backfill [{bar}] {value}/{total} runs | {failures} failed | ETA {eta_formatted}',
      stream,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let failures = 0;
  bar.start(total, 0, { failures });
  return {
    onRunDone(result) {
      if (result.state === 'failed' || result.state === 'interrupted') failures++;
      bar.increment(1, { failures });
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
