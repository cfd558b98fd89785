/** Seeded generators of hostile input lines for toParquet (deterministic: same seed, same bytes). */
import { isUtf8 } from 'node:buffer';
import { mulberry32 } from '../../../scripts/generate/prng.js';

/** The seed makes every failure reproducible. */
export const rng = mulberry32;

export interface Generated {
  readonly lines: Buffer[];
  /** Records that are not blank (toParquet's rowsRead must equal this); for CSV see `countCsvRecords`. */
  readonly nonBlank: number;
  /** Lines that repeat an earlier valid line's key. */
  readonly duplicates: number;
}

/** Whitespace as DuckDB's RE2 `\s` sees it: such a line counts as blank. */
const BLANK = /^[\t\n\f\r ]*$/;

function randomBytes(next: () => number, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    let b = Math.floor(next() * 256);
    // LF ends the line; a lone CR is documented as a line break too (see docs/reliability.md).
    while (b === 0x0a || b === 0x0d) b = Math.floor(next() * 256);
    out[i] = b;
  }
  return out;
}

const WIDE = ['é', 'ß', '中', '😀', '\u2028', '\ufeff', '\u0000', '\u001b'];

/** Random valid UTF-8 text: ASCII (controls included), some multi-byte characters, no line break. */
function randomText(next: () => number, length: number): Buffer {
  let out = '';
  for (let i = 0; i < length; i++) {
    if (next() < 0.1) out += WIDE[Math.floor(next() * WIDE.length)];
    else {
      let c = Math.floor(next() * 128);
      while (c === 0x0a || c === 0x0d) c = Math.floor(next() * 128);
      out += String.fromCharCode(c);
    }
  }
  return Buffer.from(out);
}

/** Options of the generators. */
export interface HostileOptions {
  /** Raw random bytes and invalid UTF-8 sequences (see the BUG note in hostile-input.test.ts). @default false */
  readonly invalidUtf8?: boolean;
}

function event(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: `e${i}`,
    event_ts: '2025-01-10T10:00:00Z',
    user_id: `u${i % 9}`,
    device_id: `d${i % 4}`,
    session_id: `s${i % 13}`,
    event_type: 'heartbeat',
    video_id: `v${i % 5}`,
    watch_time: 30,
    ...overrides,
  };
}

const WRONG_TYPES: readonly Record<string, unknown>[] = [
  { event_ts: 12345 },
  { event_ts: 'yesterday' },
  { watch_time: 'abc' },
  { watch_time: -1 },
  { watch_time: '1e400' },
  { user_id: { nested: true } },
  { user_id: [1, 2] },
  { event_type: 42 },
  { event_type: 'teleport' },
  { event_id: null },
  { session_id: true },
  { event_type: 'session_start' },
];

/** Events-schema JSON Lines: valid rows, duplicates, blanks and many kinds of hostile lines. */
export function eventLinesHostile(seed: number, options: HostileOptions = {}, count = 6_000): Generated {
  const next = rng(seed);
  const junk = (length: number): Buffer =>
    options.invalidUtf8 ? randomBytes(next, length) : randomText(next, length);
  const lines: Buffer[] = [];
  let nonBlank = 0;
  let duplicates = 0;
  let lastValid: string | undefined;
  let valid = 0;
  const push = (line: Buffer | string, blank = false): void => {
    const bytes = typeof line === 'string' ? Buffer.from(line) : line;
    if (!blank && BLANK.test(bytes.toString('latin1'))) return;
    lines.push(bytes);
    if (!blank) nonBlank++;
  };
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(next() * 12);
    switch (kind) {
      case 0:
        push(junk(1 + Math.floor(next() * 300)));
        break;
      case 1: {
        const text = JSON.stringify(event(i));
        push(text.slice(0, 1 + Math.floor(next() * (text.length - 2))));
        break;
      }
      case 2:
        push(JSON.stringify(event(i, { user_id: 'u'.repeat(50_000 + Math.floor(next() * 50_000)) })));
        break;
      case 3:
        push(JSON.stringify(event(i, WRONG_TYPES[Math.floor(next() * WRONG_TYPES.length)])));
        break;
      case 4:
        // Raw control characters inside a string (invalid JSON) and escaped ones (valid JSON).
        push(JSON.stringify(event(i, { session_id: 's\u0001\u0007' })).replace('\\u0001', '\u0001'));
        push(JSON.stringify(event(i + count, { device_id: 'd\u0000\u001b[31m' })));
        break;
      case 5: {
        if (!options.invalidUtf8) {
          push(junk(1 + Math.floor(next() * 50)));
          break;
        }
        // Invalid UTF-8 inside a string value, and a truncated multi-byte sequence at the end.
        const head = Buffer.from(JSON.stringify(event(i)).replace(`"e${i}"`, `"e${i}-@@"`));
        const at = head.indexOf('@@');
        head[at] = 0xff;
        head[at + 1] = 0xc3;
        push(head);
        push(Buffer.concat([Buffer.from('{"event_id":"x'), Buffer.from([0xe2, 0x82])]));
        break;
      }
      case 6:
        push(['[1,2]', '42', '"text"', 'null', '{}', '{"event_id":'][Math.floor(next() * 6)]!);
        break;
      case 7:
        push(next() < 0.5 ? '' : '   \t ', true);
        break;
      case 8:
        // The previous valid row again (the same values: a duplicate; other values under its key would be a
        // conflicting_duplicate, quarantined).
        if (lastValid !== undefined) {
          push(lastValid);
          duplicates++;
        }
        break;
      default:
        lastValid = JSON.stringify(event(i, { event_id: `ok${valid}` }));
        push(lastValid);
        valid++;
    }
  }
  // One 10 MB line: a valid event with a huge field, far above any sane row and the 8 MiB line limit.
  push(JSON.stringify(event(count + 1, { event_id: 'huge', video_id: 'v'.repeat(10 * 1024 * 1024) })));
  return { lines, nonBlank, duplicates };
}

/** Videos-schema CSV (header first): valid rows, quote bombs, broken quoting, wrong column counts. */
export function csvLines(seed: number, options: HostileOptions = {}, count = 4_000): Generated {
  const next = rng(seed);
  const lines: Buffer[] = [Buffer.from('video_id,title,genre,duration_s,published_at')];
  const push = (line: string | Buffer): void => {
    lines.push(typeof line === 'string' ? Buffer.from(line) : line);
  };
  for (let i = 0; i < count; i++) {
    switch (Math.floor(next() * 9)) {
      case 0:
        push('"'.repeat(1 + Math.floor(next() * 100_000)));
        break;
      case 1:
        push(`v${i},"unterminated,Drama,60,2025-01-01T00:00:00Z`);
        break;
      case 2:
        push(`v${i},"a""b""""c",Comedy,${'"'.repeat(501)},2025-01-01T00:00:00Z`);
        break;
      case 3:
        push(`v${i},"${'""'.repeat(20_000)}",Drama,60,2025-01-01T00:00:00Z`);
        break;
      case 4:
        push(`v${i},only,three`);
        break;
      case 8:
        // A record over several lines: line breaks (a blank line too) inside quoted fields.
        push(`v${i},"Line one`);
        if (next() < 0.3) push('');
        push(`Line two, ""quoted""",Comedy,${60 + i},"2025-01-01`);
        push('T00:00:00Z"');
        break;
      case 5:
        push(
          options.invalidUtf8
            ? randomBytes(next, 1 + Math.floor(next() * 200))
            : randomText(next, 1 + Math.floor(next() * 200)),
        );
        break;
      default:
        push(`v${i},"Title, with comma ""quoted""",Drama,${60 + i},2025-01-01T00:00:00Z`);
    }
  }
  return { lines, nonBlank: countCsvRecords(lines.slice(1)), duplicates: 0 };
}

/** toParquet's default `maxLineBytes`: a longer line is `line_too_long`, never part of a record. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * The non-blank RFC 4180 records of CSV data lines, by toParquet's documented rule, written here as the
 * plain sequential reading (no quote parity, no SQL) so that the fuzz compares two implementations: a
 * line opening a quoted field is joined with the following lines up to the one closing it, unless a line on
 * the way breaks the quoting or is not UTF-8, the file ends first, or the record grows over the limit;
 * then the opening line is a record alone and reading goes on at the next line. Blank lines are whitespace
 * as DuckDB's RE2 `\s` sees it.
 */
export function countCsvRecords(lines: readonly Buffer[]): number {
  let records = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as Buffer;
    i++;
    if (BLANK.test(line.toString('latin1'))) continue;
    records++;
    if (line.length > MAX_RECORD_BYTES || !isUtf8(line) || scan(line.toString('utf8'), false) !== 'open')
      continue;
    let bytes = line.length;
    for (let j = i; j < lines.length; j++) {
      const next = lines[j] as Buffer;
      bytes += 1 + next.length;
      const state =
        next.length <= MAX_RECORD_BYTES && isUtf8(next) ? scan(next.toString('utf8'), true) : 'bad';
      if (state === 'open') continue;
      if (state === 'closed' && bytes <= MAX_RECORD_BYTES) i = j + 1;
      break;
    }
  }
  return records;
}

/** Where a line leaves the quoting: a quote opens only at a field's start; a closing quote needs a comma or the end next. */
function scan(text: string, inside: boolean): 'open' | 'closed' | 'bad' {
  let quoted = inside;
  let pos = 0;
  for (;;) {
    if (quoted) {
      const q = text.indexOf('"', pos);
      if (q < 0) return 'open';
      if (text[q + 1] === '"') {
        pos = q + 2;
        continue;
      }
      quoted = false;
      pos = q + 1;
      if (pos === text.length) return 'closed';
      if (text[pos] !== ',') return 'bad';
      pos++;
    } else if (text[pos] === '"') {
      quoted = true;
      pos++;
    } else {
      const comma = text.indexOf(',', pos);
      const field = text.slice(pos, comma < 0 ? text.length : comma);
      if (field.includes('"')) return 'bad';
      if (comma < 0) return 'closed';
      pos = comma + 1;
    }
  }
}
