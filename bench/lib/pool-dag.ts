/**
 * The benchmark DAGs as a module, so worker processes can import them by file: the shape comes from the
 * environment the benchmark sets before it starts the pool (workers inherit it).
 */
import { chainDag, layeredDag } from './layered-dag.js';

const layers = Number(process.env.BENCH_POOL_LAYERS ?? 1);
const width = Number(process.env.BENCH_POOL_WIDTH ?? 1);

export const poolLayered = layeredDag('bench_pool', layers, width, width);
export const poolChain = chainDag('bench_pool_chain', Number(process.env.BENCH_POOL_CHAIN ?? 1));
