import { fileURLToPath } from 'node:url';
import { Engine, ProcessPoolExecutor } from '@streampro/engine';
import { withTempDir } from './bench.js';
import { layeredDag } from './layered-dag.js';

process.env.BENCH_POOL_LAYERS = '100';
process.env.BENCH_POOL_WIDTH = '100';
const file = fileURLToPath(new URL('./pool-dag.ts', import.meta.url));
const dag = layeredDag('bench_pool', 100, 100, 100);
await withTempDir('prof-pool', async (home) => {
  const engine = await Engine.open({ home, executor: new ProcessPoolExecutor(), dagFile: () => file });
  const t = performance.now();
  const r = await engine.run(dag, { logicalDate: '2025-01-01' });
  const ms = performance.now() - t;
  const cpu = process.cpuUsage();
  console.log(
    r.state,
    `${((ms * 1000) / 10_000).toFixed(1)} µs/task wall; scheduler CPU ${((cpu.user + cpu.system) / 10_000).toFixed(1)} µs/task`,
  );
  await engine.close();
});
