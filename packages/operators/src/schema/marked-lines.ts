import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';

/**
 * Lines DuckDB's line reader refuses (it fails the whole file for one of them) are rewritten in a copy with
 * a mark naming their reason, so the copy reads and each such line is quarantined at its number. Only done
 * after DuckDB refused a file, so clean input pays nothing.
 */

/** Prefix of a line that was not valid UTF-8; the rest is its text with bad bytes as U+FFFD. */
export const INVALID_UTF8_MARK = '\u0001invalid_utf8\u0001';
/** Prefix of a line longer than the limit; the rest is its first `TOO_LONG_HEAD_BYTES` (lossy UTF-8). */
export const LINE_TOO_LONG_MARK = '\u0001line_too_long\u0001';
/** How much of a line that is too long the quarantine keeps. */
export const TOO_LONG_HEAD_BYTES = 1024;

const markSql = (mark: string): string => `starts_with(line, ${markLiteral(mark)})`;
const markLiteral = (mark: string): string => `chr(1) || '${mark.slice(1, -1)}' || chr(1)`;

/** SQL expression true for lines marked as not valid UTF-8. */
export const INVALID_UTF8_SQL = markSql(INVALID_UTF8_MARK);
/** SQL expression true for lines marked as too long. */
export const LINE_TOO_LONG_SQL = markSql(LINE_TOO_LONG_MARK);
/** SQL expression true for any marked line. */
export const MARKED_SQL = `(${INVALID_UTF8_SQL} OR ${LINE_TOO_LONG_SQL})`;

/** SQL of the text of a line marked `mark` (the mark removed). */
export function unmarkedTextSql(mark: string): string {
  return `substr(line, ${mark.length + 1})`;
}

/** True for the text of a marked line. */
export function isMarked(text: string): boolean {
  return text.startsWith(INVALID_UTF8_MARK) || text.startsWith(LINE_TOO_LONG_MARK);
}

export interface MarkedCounts {
  readonly invalidUtf8: number;
  readonly tooLong: number;
}

/**
 * Copies a text file line for line, replacing every line longer than `maxLineBytes` (a trailing CR not
 * counted, as DuckDB does not) with its mark and first KiB, and every other line that is not valid UTF-8
 * with its mark and lossy decoding. Streams in bounded memory: a line is held whole only up to the limit.
 */
export async function markLines(
  source: string,
  destination: string,
  maxLineBytes: number,
): Promise<MarkedCounts> {
  const out = createWriteStream(destination);
  let invalidUtf8 = 0;
  let tooLong = 0;
  const write = async (chunk: Buffer | string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  // Pieces of the line being read; joined once when its newline arrives, so a long line costs one copy
  // (joining on every chunk would copy it hundreds of times). Past the limit only its head is kept.
  let pieces: Buffer[] = [];
  let size = 0;
  let head: Buffer | undefined;
  const take = (piece: Buffer): void => {
    size += piece.length;
    if (head !== undefined) return;
    pieces.push(piece);
    if (size > maxLineBytes + 1) {
      head = Buffer.from(Buffer.concat(pieces).subarray(0, TOO_LONG_HEAD_BYTES + 4));
      pieces = [];
    }
  };
  const finish = async (newline: boolean): Promise<void> => {
    const line = head ?? (pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces));
    const content = head !== undefined ? size : line.at(-1) === 0x0d ? line.length - 1 : line.length;
    if (content > maxLineBytes) {
      tooLong++;
      await write(LINE_TOO_LONG_MARK + utf8Head(line).toString('utf8'));
    } else if (isUtf8(line)) {
      await write(line);
    } else {
      invalidUtf8++;
      await write(INVALID_UTF8_MARK + line.toString('utf8'));
    }
    if (newline) await write('\n');
    pieces = [];
    size = 0;
    head = undefined;
  };
  for await (const chunk of createReadStream(source) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      take(chunk.subarray(start, nl));
      await finish(true);
      start = nl + 1;
    }
    if (start < chunk.length) take(chunk.subarray(start));
  }
  if (size > 0) await finish(false);
  out.end();
  await once(out, 'finish');
  return { invalidUtf8, tooLong };
}

/** The first `TOO_LONG_HEAD_BYTES` of a line, cut before a character that would not fit whole. */
function utf8Head(line: Buffer): Buffer {
  let end = Math.min(TOO_LONG_HEAD_BYTES, line.length);
  if (end < line.length) while (end > 0 && ((line[end] as number) & 0xc0) === 0x80) end--;
  return line.subarray(0, end);
}
