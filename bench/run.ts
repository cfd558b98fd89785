/**
 * `npm run bench [-- <name>...] [--quick] [--reps N] [--sizes 1e6,1e7] [--out DIR]`
 * Runs the benchmarks and writes `<out>/latest.{md,json}` (`quick.{md,json}` in quick mode).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backfillBench } from './backfill.js';
import { distributedBench } from './distributed.js';
import { etlBench } from './etl.js';
import { executorBench } from './executor.js';
import type { BenchContext, Benchmark } from './lib/bench.js';
import { describeMachine } from './lib/machine.js';
import { type BenchReport, writeResults } from './lib/report.js';
import { logsBench } from './logs.js';
import { pipelineBench } from './pipeline.js';
import { schedulerBench } from './scheduler.js';
import { dueLatencyBench } from './scheduler-latency.js';
import { startupBench } from './startup.js';
import { uiGridBench } from './ui-grid.js';

const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  scheduler: schedulerBench,
  'due-latency': dueLatencyBench,
  executor: executorBench,
  logs: logsBench,
  etl: etlBench,
  pipeline: pipelineBench,
  backfill: backfillBench,
  startup: startupBench,
  distributed: distributedBench,
  'ui-grid': uiGridBench,
};

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\nnames: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}

function parse(argv: readonly string[]): { names: string[]; ctx: BenchContext; out: string } {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  for (const name of positionals) if (!(name in BENCHMARKS)) usage(`unknown benchmark "${name}"`);
  const reps = values.reps === undefined ? undefined : Number(values.reps);
  if (reps !== undefined && !(Number.isInteger(reps) && reps >= 1))
    usage(`--reps must be a positive integer`);
  const sizes = values.sizes?.split(',').map(Number);
  if (sizes?.some((s) => !(Number.isInteger(s) && s > 0)))
    usage('--sizes takes positive integers, e.g. 1e6,1e7');
  const here = path.dirname(fileURLToPath(import.meta.url));
  return {
    names: positionals.length > 0 ? positionals : Object.keys(BENCHMARKS),
    out: path.resolve(values.out ?? path.join(here, 'results')),
    ctx: {
      quick: values.quick ?? false,
      reps,
      sizes,
      log: (m) => process.stderr.write(`${m}\n`),
    },
  };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      reps: { type: 'string' },
      sizes: { type: 'string' },
      out: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
}

const { names, ctx, out } = parse(process.argv.slice(2));
let failed = false;
for (const name of names) {
  let report: BenchReport;
  const machine = describeMachine();
  const ranAt = new Date().toISOString();
  ctx.log(`== ${name}${ctx.quick ? ' (quick)' : ''}`);
  try {
    const outcome = await BENCHMARKS[name]!(ctx);
    // A smoke run's figures say nothing about the targets.
    const rows = ctx.quick ? outcome.rows.map((r) => ({ ...r, met: null })) : outcome.rows;
    report = { name, ranAt, machine, quick: ctx.quick, ...outcome, rows };
  } catch (error) {
    failed = true;
    const message = error instanceof Error ? error.message : String(error);
    ctx.log(`${name} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
    // Recorded, so the table says the benchmark could not run rather than silently keeping old figures.
    report = {
      name,
      ranAt,
      machine,
      quick: ctx.quick,
      params: {},
      rows: [],
      notes: [`FAILED: ${message.split('\n')[0]}`],
    };
  }
  // Written after each benchmark, so a long run that is stopped keeps what it measured.
  const files = writeResults(out, ctx.quick ? 'quick' : 'latest', [report]);
  ctx.log(`wrote ${files.join(', ')}`);
}
if (failed) process.exitCode = 1;
