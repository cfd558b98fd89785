import { expect } from 'chai';
import { mulberry32 } from '../../../../scripts/generate/prng.js';
import { defineSchema } from '../../src/schema/types.js';
import { type ToParquetOptions, type ToParquetOutput, toParquet } from '../../src/tasks/to-parquet.js';
import { type Sandbox, sandbox } from '../duckdb/helpers.js';
import { fakeContext } from '../storage/fake-context.js';

/**
 * The native read (DuckDB's parallel readers, texts fetched back for rejected rows) must give what the careful
 * line-by-line read gives: the same Parquet rows in the same order, the same quarantine file byte for byte,
 * the same counts. Seeded generated files mix valid rows with every kind of bad row; files with something
 * only the careful path handles must fall back to it, with the same results.
 */

const schema = defineSchema({
  columns: {
    id: { type: 'string', required: true },
    ts: { type: 'timestamp', required: true, window: { daysBefore: 30, daysAfter: 2 } },
    n: { type: 'integer', min: 0, max: 1000 },
    x: { type: 'double', min: -1 },
    flag: { type: 'boolean' },
    day: { type: 'date', min: '2020-01-01' },
    kind: { type: 'string', canonical: ['Alpha', 'Beta', 'Gamma'], aliases: { a: 'Alpha' } },
    code: { type: 'string', case: 'upper', pattern: '^[A-Z]{2}$' },
    raw: { type: 'string', trim: false, emptyAsNull: false },
    note: { type: 'string', source: 'Note' },
  },
  checks: [{ name: 'n_or_x', predicate: 'n IS NOT NULL OR x IS NOT NULL', reason: 'n or x is needed' }],
  dedupKey: ['id'],
  derived: { n2: { type: 'integer', sql: 'n * 2' } },
});

const FIELDS = ['id', 'ts', 'n', 'x', 'flag', 'day', 'kind', 'code', 'raw', 'Note'] as const;

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
/** The first value most of the time, any of them when `odd`. */
const mostly = <T>(random: Random, odd: boolean, items: readonly T[]): T =>
  odd ? pick(random, items) : (items[0] as T);

/** A value for a field: mostly valid, sometimes of the wrong kind, empty, padded, or odd. */
function value(random: Random, field: (typeof FIELDS)[number], i: number): unknown {
  const r = random();
  if (r < 0.02) return null;
  if (r < 0.03) return '';
  if (r < 0.04) return ' ';
  const odd = r > 0.9;
  switch (field) {
    case 'id':
      return r < 0.9 ? `id${i}` : `id${Math.floor(random() * i)}`;
    case 'ts':
      return mostly(random, odd, [
        '2025-09-09T10:00:00Z',
        '2025-09-01T23:59:59+02:00',
        ' 2025-09-08 12:00:00 ',
        '2025-09-09T24:00:00Z',
        '2024-01-01T00:00:00Z',
        'yesterday',
        '2025-09-11T00:00:00-01:00',
      ]);
    case 'n':
      return mostly(random, odd, [1, 42, 1000, 1001, -5, '7', 1.5, '12', ' 3 ', 9007199254740994, 1e300]);
    case 'x':
      return mostly(random, odd, [0.5, -0.0, -2, 'NaN', '1e3', 3, 'inf', 12.25, true]);
    case 'flag':
      return mostly(random, odd, [true, false, 'true', 1, 'yes', 'f']);
    case 'day':
      return mostly(random, odd, ['2025-09-09', '2019-12-31', '2025-02-30', 20250909, '2025-9-9']);
    case 'kind':
      return mostly(random, odd, ['alpha', ' BETA', 'g a m m a', 'A', 'delta', 'Alpha', 3]);
    case 'code':
      return mostly(random, odd, ['us', 'FR', 'abc', ' de ', 'é1', { a: 1 }]);
    case 'raw':
      return mostly(random, odd, [
        '  padded  ',
        'tab\there',
        'x',
        'quote"in',
        'back\\slash',
        'emoji 😀',
        'ünï',
      ]);
    case 'Note':
      return mostly(random, odd, ['hello', 'a;b', 'line', 'sp ace', [1, 2]]);
  }
}

function record(random: Random, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (random() < 0.03) continue;
    out[field] = value(random, field, i);
  }
  return out;
}

/** JSON Lines with valid rows, bad values, malformed lines, non-objects, duplicates and odd spacing. */
function jsonLines(seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const r = random();
    const text = JSON.stringify(record(random, i));
    if (r < 0.03) lines.push(text.slice(0, 1 + Math.floor(random() * (text.length - 1))));
    else if (r < 0.05) lines.push(pick(random, ['[1,2]', '12', 'null', '"s"', '{}', '{"other":1}', 'true']));
    else if (r < 0.06) lines.push(`${text} x`);
    else if (r < 0.07) lines.push(`${text}${text}`);
    else if (r < 0.08) lines.push(`  ${text}\t`);
    else if (r < 0.09) lines.push(text.replace('{', '{"id":"dupkey",'));
    else if (r < 0.1 && lines.length > 0) lines.push(lines[lines.length - 1] as string);
    else if (r < 0.11) lines.push(text.replace(/"raw":"/, '"raw":"\\u0041\\n\\"'));
    else if (r < 0.12)
      lines.push(text.replace(/"n":[^,}]*/, pick(random, ['"n":1e400', '"n":1.50', '"n":-0', '"n":1E2'])));
    else lines.push(text);
  }
  return lines;
}

/** CSV (header first) with wrong field counts, spaces, empty fields, unicode, and duplicate rows. */
function csvLines(seed: number, count: number, delimiter: string): string[] {
  const random = mulberry32(seed);
  const lines = [FIELDS.join(delimiter)];
  for (let i = 1; i <= count; i++) {
    const rec = record(random, i);
    const cells = FIELDS.map((f) => {
      const v = rec[f];
      return v === undefined || v === null
        ? ''
        : typeof v === 'object'
          ? 'obj'
          : String(v).replace(/["\n\r]/g, '');
    }).map((cell) => cell.replaceAll(delimiter, ' '));
    const r = random();
    if (r < 0.03) lines.push(cells.slice(0, 1 + Math.floor(random() * 8)).join(delimiter));
    else if (r < 0.05) lines.push([...cells, 'extra'].join(delimiter));
    else if (r < 0.07 && lines.length > 1) lines.push(lines[lines.length - 1] as string);
    else lines.push(cells.join(delimiter));
  }
  return lines;
}

describe('toParquet native read', () => {
  let box: Sandbox;
  beforeEach(async () => {
    box = await sandbox();
  });
  afterEach(async () => {
    await box.cleanup();
  });

  interface Outcome {
    readonly output: ToParquetOutput | string;
    readonly rows: unknown[];
    readonly quarantine: string | null;
    readonly path: string | undefined;
    /** Why the native read was not taken, when it was not. */
    readonly why: string | undefined;
  }

  const convert = async (
    key: string,
    body: string | Buffer,
    nativeRead: boolean,
    extra: Partial<ToParquetOptions> = {},
  ): Promise<Outcome> => {
    await box.put(key, body);
    if (process.env.DUMP_DIR)
      (await import('node:fs')).writeFileSync(`${process.env.DUMP_DIR}/${key.replace(/\W/g, '_')}`, body);
    const { ctx, lines } = fakeContext();
    const outKey = `clean/${nativeRead}.parquet`;
    const qKey = `quarantine/${nativeRead}.jsonl`;
    let output: ToParquetOutput | string;
    try {
      output = await toParquet({
        input: { store: box.store, key },
        output: { store: box.store, key: outKey },
        quarantine: { key: qKey },
        schema,
        workDir: box.dir,
        threads: 2,
        maxRejectRatio: 1,
        nativeRead,
        ...extra,
      })(ctx);
    } catch (error) {
      output = `${(error as Error).name}: ${(error as Error).message}`;
    }
    const rows = (await box.store.exists(outKey)) ? await box.readParquet(outKey) : [];
    const quarantine = (await box.store.exists(qKey))
      ? (await box.store.getBytes(qKey)).toString('utf8')
      : null;
    const staged = lines.find((l) => l.message.startsWith('toParquet staged'));
    const path = staged?.message.endsWith('natively') ? 'native' : staged ? 'careful' : undefined;
    const why = lines.find((l) => l.message.includes('line by line:'))?.message;
    if (typeof output !== 'string')
      output = { ...output, outputKeys: ['out'], quarantineKey: output.quarantineKey && 'q' };
    return { output, rows, quarantine, path, why };
  };

  const same = async (
    key: string,
    body: string | Buffer,
    expectedPath: 'native' | 'careful',
    extra: Partial<ToParquetOptions> = {},
  ): Promise<Outcome> => {
    const careful = await convert(key, body, false, extra);
    const native = await convert(key, body, true, extra);
    expect(careful.path).to.equal('careful');
    expect(native.path, native.why).to.equal(expectedPath);
    expect(native.output).to.deep.equal(careful.output);
    expect(native.quarantine).to.equal(careful.quarantine);
    expect(native.rows).to.deep.equal(careful.rows);
    return native;
  };

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`JSON Lines, seed ${seed}: the native read gives the careful read's output, quarantine and counts`, async () => {
      const lines = jsonLines(seed, 400);
      const crlf = seed % 2 === 0;
      const out = await same(
        'raw/in.jsonl',
        `${lines.join(crlf ? '\r\n' : '\n')}${seed === 3 ? '' : crlf ? '\r\n' : '\n'}`,
        'native',
      );
      if (typeof out.output === 'string') throw new Error(out.output);
      expect(out.output.rowsRejected).to.be.greaterThan(50);
      expect(out.output.rowsWritten).to.be.greaterThan(20);
      expect(out.output.rowsRead).to.equal(lines.length);
    });

    it(`CSV, seed ${seed}: the native read gives the careful read's output, quarantine and counts`, async () => {
      const delimiter = seed % 3 === 0 ? ';' : seed % 3 === 1 ? ',' : '\t';
      const lines = csvLines(seed, 400, delimiter);
      const crlf = seed % 2 === 0;
      const out = await same(
        'raw/in.csv',
        `${lines.join(crlf ? '\r\n' : '\n')}${seed === 3 ? '' : crlf ? '\r\n' : '\n'}`,
        'native',
        {
          input: { store: box.store, key: 'raw/in.csv', delimiter },
        },
      );
      if (typeof out.output === 'string') throw new Error(out.output);
      expect(out.output.rowsRejected).to.be.greaterThan(30);
      expect(out.output.rowsWritten).to.be.greaterThan(20);
      expect(out.output.rowsRead).to.equal(lines.length - 1);
    });
  }

  const jsonBody = (edit: (lines: string[]) => void): string => {
    const lines = jsonLines(9, 200);
    edit(lines);
    return `${lines.join('\n')}\n`;
  };

  const fallbacks: Record<string, () => string | Buffer> = {
    'a blank line': () => jsonBody((l) => l.splice(10, 0, '')),
    'a whitespace-only line': () => jsonBody((l) => l.splice(10, 0, ' \t ')),
    'a NUL byte': () => jsonBody((l) => l.splice(10, 0, '{"id":"z\u0000"}')),
    'a byte order mark': () => `\uFEFF${jsonBody(() => {})}`,
    'a lone CR': () => jsonBody((l) => l.splice(10, 0, '{"id":"cr\r","n":1}')),
    'a line over maxLineBytes': () =>
      jsonBody((l) => l.splice(10, 0, `{"id":"long","raw":"${'y'.repeat(3000)}"}`)),
    'invalid UTF-8': () =>
      Buffer.concat([
        Buffer.from(jsonBody(() => {})),
        Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d, 0x0a]),
      ]),
  };
  for (const [what, body] of Object.entries(fallbacks)) {
    it(`JSON Lines with ${what} takes the careful path, with the same results`, async () => {
      await same('raw/in.jsonl', body(), 'careful', { maxLineBytes: 2048 });
    });
  }

  it('CSV with a quote takes the careful path, with the same results', async () => {
    const lines = csvLines(11, 200, ',');
    lines.splice(5, 0, 'q1,2025-09-09T10:00:00Z,1,,,,,,"a,b",x');
    await same('raw/in.csv', `${lines.join('\n')}\n`, 'careful');
  });

  it('a file with only bad rows, and an empty file, agree on both paths', async () => {
    await same('raw/bad.jsonl', '{"x":\n[1]\n{}\n', 'native');
    await same('raw/empty.jsonl', '', 'native');
  });
});
