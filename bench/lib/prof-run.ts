import path from 'node:path';
import { Engine, SqliteRunStore } from '@streampro/engine';
import { withTempDir } from './bench.js';
import { layeredDag } from './layered-dag.js';

const dag = layeredDag('prof', 100, 100, 100);
await withTempDir('prof', async (home) => {
  const store = await SqliteRunStore.open(path.join(home, 'state.db'));
  const engine = await Engine.open({ home, store });
  const t = performance.now();
  const r = await engine.run(dag, { logicalDate: '2025-01-01' });
  const ms = performance.now() - t;
  console.log(r.state, `${((ms * 1000) / 10_000).toFixed(1)} µs/task`);
  await engine.close();
});
