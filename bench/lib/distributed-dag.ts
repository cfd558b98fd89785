/**
 * The DAGs of `bench/distributed.ts` as a module, imported by file by the `dag worker` processes' try
 * processes (and by the local pool of the baselines). Their shape comes from the environment the benchmark
 * gives the workers; like pool-dag.ts, the benchmark process builds the same DAGs itself and never imports
 * this module.
 */
import { chainDag, layeredDag, victimDag } from './layered-dag.js';

const num = (name: string): number => Number(process.env[name] ?? 1);

export const distLayered = layeredDag(
  'bench_dist',
  num('BENCH_DIST_LAYERS'),
  num('BENCH_DIST_WIDTH'),
  num('BENCH_DIST_MAX_ACTIVE'),
);
export const distChain = chainDag('bench_dist_chain', num('BENCH_DIST_CHAIN'));
export const distVictim = victimDag('bench_dist_victim');
