import fs from 'node:fs';
import path from 'node:path';
import { SecretMasker, type TaskInstanceKey } from '@streampro/engine';
import { LogRouter } from '@streampro/engine/internal';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { Rows } from './lib/report.js';

const METRIC = 'wall µs/try';
const FILE_PER_TRY = 'baseline: a folder and a file per try';

/** The old layout, written the way the engine wrote it: a task folder, a file per try, each line one write. */
function filePerTry(logsDir: string, key: TaskInstanceKey, lines: readonly string[]): void {
  const dir = path.join(logsDir, `run_id=${key.runId}`, `task_id=${key.taskId}`);
  fs.mkdirSync(dir, { recursive: true });
  const fd = fs.openSync(path.join(dir, `attempt=${key.tryNumber}.log`), 'a');
  for (const line of lines) fs.writeSync(fd, line);
  fs.closeSync(fd);
}

/**
 * What one try's log costs, with `lines` lines (2: a no-op try's "starting" and "succeeded"; 12: a try that
 * writes 10 lines of its own): the old layout (a folder and a file per try) beside the run segment the engine
 * writes now (`LogRouter`: one file per run, kept open, every line one write with its key), and beside the
 * segment opened and closed again for every try.
 */
export async function logsBench(ctx: BenchContext): Promise<BenchOutcome> {
  const reps = repsOf(ctx, 5);
  const tries = ctx.quick ? 200 : 5_000;
  const rows = new Rows();
  const masker = new SecretMasker();
  for (const lineCount of [2, 12]) {
    const label = lineCount === 2 ? 'no-op try (2 lines)' : 'try writing 10 lines (12 lines)';
    const old: number[] = [];
    const segment: number[] = [];
    const reopened: number[] = [];
    for (let r = 0; r < reps; r++) {
      await withTempDir('logs', async (dir) => {
        const keyOf = (i: number, runId: string): TaskInstanceKey => ({
          dagId: 'bench',
          runId,
          taskId: `t${i}`,
          tryNumber: 1,
        });
        const lineOf = (key: TaskInstanceKey, n: number): string =>
          `${JSON.stringify({ level: 'info', message: `line ${n}`, ...key, timestamp: new Date().toISOString() })}\n`;

        let t0 = performance.now();
        for (let i = 0; i < tries; i++) {
          const key = keyOf(i, 'old');
          filePerTry(
            dir,
            key,
            Array.from({ length: lineCount }, (_, n) => lineOf(key, n)),
          );
        }
        old.push(((performance.now() - t0) * 1000) / tries);

        const router = new LogRouter(path.join(dir, 'segment'), 'debug');
        t0 = performance.now();
        for (let i = 0; i < tries; i++) {
          const log = router.openTryLog(keyOf(i, 'segment'), masker);
          await log.ready;
          for (let n = 0; n < lineCount; n++) log.logger.info(`line ${n}`);
          log.close();
        }
        segment.push(((performance.now() - t0) * 1000) / tries);
        router.close();

        const file = path.join(dir, 'reopened.log');
        t0 = performance.now();
        for (let i = 0; i < tries; i++) {
          const key = keyOf(i, 'reopened');
          const fd = fs.openSync(file, 'a');
          for (let n = 0; n < lineCount; n++) fs.writeSync(fd, lineOf(key, n));
          fs.closeSync(fd);
        }
        reopened.push(((performance.now() - t0) * 1000) / tries);
      });
    }
    const base = `${FILE_PER_TRY}, ${label}`;
    rows.add(base, METRIC, old);
    rows.compare(`run segment kept open (the engine's LogRouter), ${label}`, METRIC, segment, base, {
      text: 'chosen layout: faster than a file per try',
      ok: (ratio) => ratio < 1,
    });
    rows.compare(`run segment opened per try, ${label}`, METRIC, reopened, base);
  }
  return {
    params: { reps, tries },
    rows: rows.rows,
    notes: [
      `Each figure is the mean over ${tries} tries of one repetition; the table shows the median of ${reps}.`,
      "The engine's row goes through its real LogRouter (formatting, masking, one write per line); the baselines write pre-formatted lines, so they flatter the old layout.",
    ],
  };
}
