/**
 * The benchmark DAGs as a module, so worker processes can import them by file. Their shape comes from the
 * environment, set by the benchmark before it starts the pool (workers inherit it at fork). The benchmark
 * process itself builds the same DAGs with `layeredDag` / `chainDag` and never imports this module: an
 * import is cached, an environment is not.
 */
import { chainDag, layeredDag } from './layered-dag.js';

const layers = Number(process.env.BENCH_POOL_LAYERS ?? 1);
const width = Number(process.env.BENCH_POOL_WIDTH ?? 1);

export const poolLayered = layeredDag('bench_pool', layers, width, width);
export const poolChain = chainDag('bench_pool_chain', Number(process.env.BENCH_POOL_CHAIN ?? 1));
