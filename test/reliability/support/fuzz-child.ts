/**
 * Child process of the hostile-input test: generates a seeded file of hostile lines, runs toParquet
 * on it and prints one JSON object with the counts it reported, what actually landed in trusted and
 * quarantine, and this process's peak RSS. Run in its own process so the RSS is toParquet's alone.
 *
 * usage: node --import tsx fuzz-child.ts <jsonl|csv> <seed> <work dir> [invalid-utf8]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TaskLogger } from '@streampro/engine';
import { LocalStore, type OperatorContext, toParquet, withSession } from '@streampro/operators';
import { eventsSchema, videosSchema } from '../../../dags/lib/streampro/schemas.js';
import { csvLines, eventLinesHostile } from './hostile-lines.js';

const [format, seedText, dir, mode] = process.argv.slice(2);
const options = { invalidUtf8: mode === 'invalid-utf8' };
if ((format !== 'jsonl' && format !== 'csv') || !seedText || !dir) {
  throw new Error('usage: fuzz-child.ts <jsonl|csv> <seed> <work dir>');
}
const generated =
  format === 'jsonl' ? eventLinesHostile(Number(seedText), options) : csvLines(Number(seedText), options);
const lake = await LocalStore.open(path.join(dir, 'lake'));
const inputKey = `landing/input.${format}`;
await lake.putBytes(inputKey, Buffer.concat(generated.lines.flatMap((l) => [l, Buffer.from('\n')])));

const log: TaskLogger = {
  scope: { dagId: 'fuzz', runId: 'fuzz', taskId: 'to_parquet', tryNumber: 1 },
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
};
const ctx: OperatorContext = {
  ds: '2025-01-10',
  logicalDate: '2025-01-10T00:00:00.000Z',
  log,
  signal: new AbortController().signal,
  maskSecret: () => {},
};
const output = await toParquet({
  input: { store: lake, key: inputKey },
  output: { store: lake, key: 'trusted/part-0.parquet' },
  quarantine: { key: 'quarantine/rejects.jsonl' },
  schema: format === 'jsonl' ? eventsSchema : videosSchema,
  // Every line may be bad: the point is where each one lands, not the task's verdict.
  maxRejectRatio: 1,
  memoryLimit: '512MB',
  threads: 2,
  workDir: dir,
})(ctx);

const trustedFile = path.join(dir, 'lake', 'trusted', 'part-0.parquet');
const parquetRows = await withSession(
  { tempDirectory: path.join(dir, 'verify-spill') },
  undefined,
  async (session) => {
    const [row] = await session.all(`SELECT count(*)::INTEGER AS n FROM read_parquet('${trustedFile}')`);
    return Number(row?.n);
  },
);
const quarantineFile = path.join(dir, 'lake', 'quarantine', 'rejects.jsonl');
const quarantine = fs.existsSync(quarantineFile)
  ? fs
      .readFileSync(quarantineFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
  : [];
process.stdout.write(
  `${JSON.stringify({
    expectedRead: generated.nonBlank,
    expectedDuplicates: generated.duplicates,
    output,
    parquetRows,
    quarantineLines: quarantine.length,
    quarantineLineNumbers: quarantine.map((q) => Number(q.line_number ?? q.line ?? q.lineNumber)),
    quarantineKeys: quarantine.length > 0 ? Object.keys(quarantine[0]!) : [],
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
