/**
 * `npm run generate -- --start 2025-09-09 --end 2025-09-12 --out DIR [--users 100] [--seed streampro] [--force]`
 * Writes the landing files flat into --out and, per day, a dirt manifest and a delivery manifest (size,
 * SHA-256, lines of each file) into --out/manifests/.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { factsOf, fileManifestPath, type ManifestEntry } from '../../dags/lib/streampro/file-manifest.js';
import { generateDays } from './generate.js';
import { DEFAULT_OPTIONS, type DirtEntry, type GeneratorOptions } from './model.js';
import { parseDate } from './time.js';

/** A bad command line; the message is meant for the terminal as is. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: npm run generate -- --start YYYY-MM-DD --end YYYY-MM-DD --out DIR [options]

Writes deterministic StreamPro landing files (users, videos, devices, events per day) into DIR and, per
day, into DIR/manifests/: the dirt planted in them (dirt_D.json) and the delivery manifest landing checks
each file against (files_D.json: size, SHA-256, lines).

  --start, --end   first and last ingestion date (at most 366 days)
  --out DIR        where to write; the repository's own data/ folder (the committed sample) needs --force
  --users N        new users per day (1-100000, default ${DEFAULT_OPTIONS.usersPerDay})
  --seed TEXT      seed of the pseudo-random choices (default ${DEFAULT_OPTIONS.seed})
  --force          allow writing into the repository's data/ folder
  --help           this text
`;

/** Asked for the usage text: printed on stdout, exit 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

/** The repository's committed sample folder, which a run may overwrite only with --force. */
const SAMPLE_DIR = fileURLToPath(new URL('../../data', import.meta.url));

function sameFolder(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

export interface CliArgs {
  readonly start: string;
  readonly end: string;
  readonly out: string;
  readonly options: GeneratorOptions;
}

const MAX_DAYS = 366;
const MAX_USERS = 100_000;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: {
    start?: string;
    end?: string;
    users?: string;
    seed?: string;
    out?: string;
    force?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        start: { type: 'string' },
        end: { type: 'string' },
        users: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new HelpRequested(USAGE);
  const date = (flag: 'start' | 'end'): [string, number] => {
    const text = values[flag];
    if (text === undefined) throw new UsageError(`--${flag} is required (YYYY-MM-DD)`);
    const ms = parseDate(text);
    if (ms === null) throw new UsageError(`--${flag} must be a real date as YYYY-MM-DD, got "${text}"`);
    return [text, ms];
  };
  const [start, startMs] = date('start');
  const [end, endMs] = date('end');
  if (endMs < startMs) throw new UsageError(`--end ${end} is before --start ${start}`);
  if ((endMs - startMs) / 86_400_000 + 1 > MAX_DAYS) throw new UsageError(`at most ${MAX_DAYS} days per run`);
  let usersPerDay = DEFAULT_OPTIONS.usersPerDay;
  if (values.users !== undefined) {
    usersPerDay = Number(values.users);
    if (!/^\d+$/.test(values.users) || usersPerDay < 1 || usersPerDay > MAX_USERS) {
      throw new UsageError(`--users must be an integer from 1 to ${MAX_USERS}, got "${values.users}"`);
    }
  }
  const seed = values.seed ?? DEFAULT_OPTIONS.seed;
  if (seed === '') throw new UsageError('--seed must not be empty');
  if (values.out === undefined || values.out === '') {
    throw new UsageError('--out DIR is required: the folder to write the landing files into (see --help)');
  }
  if (sameFolder(values.out, SAMPLE_DIR) && !values.force) {
    throw new UsageError(
      `--out ${values.out} is the repository's committed sample; add --force to overwrite it, or write elsewhere`,
    );
  }
  return { start, end, out: values.out, options: { ...DEFAULT_OPTIONS, seed, usersPerDay } };
}

/** One entry per line: small, and diffs stay readable. */
export function formatManifest(manifest: readonly (DirtEntry | ManifestEntry)[]): string {
  return `[\n${manifest.map((entry) => JSON.stringify(entry)).join(',\n')}\n]\n`;
}

/** The delivery manifest of one day's files (size, SHA-256, lines), which landing checks them against. */
export function fileManifest(files: Readonly<Record<string, string>>): ManifestEntry[] {
  return Object.entries(files).map(([file, text]) => ({ file, ...factsOf(Buffer.from(text, 'utf8')) }));
}

export function run(argv: readonly string[]): string[] {
  const args = parseCliArgs(argv);
  const days = generateDays(args.start, args.end, args.options);
  mkdirSync(join(args.out, 'manifests'), { recursive: true });
  const written: string[] = [];
  for (const day of days) {
    for (const [name, text] of Object.entries(day.files)) {
      writeFileSync(join(args.out, name), text, 'utf8');
      written.push(join(args.out, name));
    }
    const manifestPath = join(args.out, 'manifests', `dirt_${day.date}.json`);
    writeFileSync(manifestPath, formatManifest(day.manifest), 'utf8');
    written.push(manifestPath);
    const filesPath = join(args.out, fileManifestPath(day.date));
    writeFileSync(filesPath, formatManifest(fileManifest(day.files)), 'utf8');
    written.push(filesPath);
  }
  return written;
}

// Runs only as the entry point, so tests can import parseCliArgs and run.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const written = run(process.argv.slice(2));
    process.stdout.write(`wrote ${written.length} files\n`);
  } catch (error) {
    if (error instanceof HelpRequested) process.stdout.write(error.message);
    else if (error instanceof UsageError) {
      process.stderr.write(`generate: ${error.message}\n`);
      process.exitCode = 2;
    } else throw error;
  }
}
