/**
 * The pipeline benchmark's baseline, in its own process: the streampro task bodies called directly, each
 * as soon as its upstream tasks have finished (a plain promise graph, no scheduler, store, log files or
 * CLI). `pipeline-direct.ts <date>`, with STREAMPRO_DATA_DIR and STREAMPRO_LAKE set; prints `{ "ms": n }`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine, MemoryRunStore } from '@streampro/engine';
import streampro from '../dags/streampro.js';

const [date] = process.argv.slice(2);
if (!date) {
  process.stderr.write('usage: pipeline-direct.ts <date>\n');
  process.exit(2);
}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'streampro-bench-direct-'));
// testTask only builds each task's context (logger to a callback, nothing recorded); it is not the scheduler.
const engine = await Engine.open({ home, store: new MemoryRunStore() });
try {
  const done = new Map<string, Promise<void>>();
  const runTask = (id: string): Promise<void> => {
    let p = done.get(id);
    if (!p) {
      const def = streampro.getTask(id)!;
      p = Promise.all(def.upstreamIds.map(runTask)).then(async () => {
        const r = await engine.testTask(streampro, id, { logicalDate: date });
        if (r.kind !== 'success')
          throw new Error(`${id}: ${r.kind === 'failed' ? r.error.message : r.reason}`);
      });
      done.set(id, p);
    }
    return p;
  };
  const t0 = performance.now();
  await Promise.all(streampro.tasks.map((t) => runTask(t.id)));
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0 })}\n`);
} finally {
  await engine.close();
  fs.rmSync(home, { recursive: true, force: true });
}
