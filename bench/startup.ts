import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { DAG_BIN, REPO_ROOT } from './lib/paths.js';
import { Rows } from './lib/report.js';

const NODE = 'baseline: node -e 0';

const LIST_COLD = 'dag list (dags/ folder), cold: empty DAG cache';
const LIST_WARM = 'dag list (dags/ folder), warm: cached bundles';
const WORKER_TSX = 'worker-like import of dags/streampro.ts through tsx (before the cache)';
const WORKER_CACHE = "worker-like import of dags/streampro.ts through the CLI's dagImporter (warm)";

interface Case {
  readonly subject: string;
  readonly args: readonly string[];
  /** Runs before each spawn of the case, untimed. */
  readonly before?: () => void;
}

/** Wall time of one child process from spawn to exit; throws on a non-zero exit. */
function spawnMs(args: readonly string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export async function startupBench(ctx: BenchContext): Promise<BenchOutcome> {
  if (!fs.existsSync(DAG_BIN)) throw new Error(`${DAG_BIN} missing: build engine, operators and cli first`);
  const reps = repsOf(ctx, 15);
  return withTempDir('startup', async (home) => {
    const env = { ...process.env, STREAMPRO_HOME: home, NO_COLOR: '1' };
    const cache = path.join(home, 'cache');
    const dagFile = path.join(REPO_ROOT, 'dags', 'streampro.ts');
    const importer = pathToFileURL(
      path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'discovery', 'worker-importer.js'),
    ).href;
    const cases: Case[] = [
      { subject: NODE, args: ['-e', '0'] },
      { subject: 'diagnostic: node --import tsx -e 0', args: ['--import', 'tsx', '-e', '0'] },
      { subject: 'dag --help', args: [DAG_BIN, '--help'] },
      {
        subject: LIST_COLD,
        args: [DAG_BIN, 'list'],
        before: () => fs.rmSync(cache, { recursive: true, force: true }),
      },
      // Right after the cold case, which left the cache filled.
      { subject: LIST_WARM, args: [DAG_BIN, 'list'] },
      {
        subject: WORKER_TSX,
        args: ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(dagFile)})`],
      },
      {
        subject: WORKER_CACHE,
        args: [
          '--input-type=module',
          '-e',
          `await (await import(${JSON.stringify(importer)})).importDagModule(${JSON.stringify(dagFile)})`,
        ],
      },
    ];
    const spawnCase = (c: Case) => {
      c.before?.();
      return spawnMs(c.args, env);
    };
    const listed = JSON.parse(spawnMs([DAG_BIN, 'list', '--json'], env).stdout) as {
      dags: { dagId: string; tasks: number }[];
      broken: { path: string; error: string }[];
    };
    // One warm-up of each so the first measured spawn does not pay for a cold page cache.
    for (const c of cases) spawnCase(c);
    const times = new Map<string, number[]>(cases.map((c) => [c.subject, []]));
    for (let rep = 0; rep < reps; rep++) {
      // Interleaved, so a busy moment of the machine hits every case alike.
      for (const c of cases) times.get(c.subject)!.push(spawnCase(c).ms);
    }
    const rows = new Rows();
    rows.add(NODE, 'wall ms', times.get(NODE)!);
    rows.compare(
      'diagnostic: node --import tsx -e 0',
      'wall ms',
      times.get('diagnostic: node --import tsx -e 0')!,
      NODE,
    );
    rows.compare('dag --help', 'wall ms', times.get('dag --help')!, NODE, {
      text: '< 3x node -e 0',
      ok: (r) => r < 3,
    });
    rows.compare(LIST_COLD, 'wall ms', times.get(LIST_COLD)!, NODE);
    rows.compare(LIST_WARM, 'wall ms', times.get(LIST_WARM)!, NODE, {
      text: '≤ 3x node -e 0',
      ok: (r) => r <= 3,
    });
    rows.add(WORKER_TSX, 'wall ms', times.get(WORKER_TSX)!);
    rows.compare(WORKER_CACHE, 'wall ms', times.get(WORKER_CACHE)!, WORKER_TSX);
    const loaded = listed.dags.map((d) => `${d.dagId} (${d.tasks} tasks)`).join(', ') || 'none';
    const notes = [
      `Each figure: spawn to exit of \`node ...\` from the repository root, fresh STREAMPRO_HOME (no state.db).`,
      `Cold: the home's DAG cache (\`<home>/cache/dags\`) is deleted before each spawn, so both DAG files are bundled with esbuild; warm: it holds the bundles, checked by content hash.`,
      `The worker-like rows import one DAG file in a fresh process, as each worker of a pool does before its first try (the engine's modules included).`,
      `DAGs loaded by \`dag list\`: ${loaded}.`,
    ];
    if (listed.broken.length > 0) {
      notes.push(
        `Broken DAG files at the time of the run (their import cost is partly missing from \`dag list\`): ` +
          listed.broken.map((b) => `${b.path}: ${b.error.split('\n')[0]}`).join('; '),
      );
    }
    return { params: { reps }, rows: rows.rows, notes };
  });
}
