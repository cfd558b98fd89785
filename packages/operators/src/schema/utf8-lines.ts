import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';

/** Prefix of a line that was not valid UTF-8 in the source; the rest is its text with bad bytes as U+FFFD. */
export const INVALID_UTF8_MARK = '\u0001invalid_utf8\u0001';

/** SQL expression true for lines `sanitizeUtf8Lines` marked. */
export const INVALID_UTF8_SQL = `starts_with(line, chr(1) || 'invalid_utf8' || chr(1))`;

/** SQL of the original text of a marked line (the mark removed). */
export const UNMARKED_TEXT_SQL = `substr(line, ${INVALID_UTF8_MARK.length + 1})`;

/**
 * Copies a text file line for line, replacing every line that is not valid UTF-8 with the mark followed by
 * its lossy decoding, so DuckDB (which refuses the whole file otherwise) reads it and the line is quarantined
 * with its number. Streams in bounded memory; returns how many lines were marked. Only called after DuckDB
 * rejected a file, so clean input pays nothing.
 */
export async function sanitizeUtf8Lines(source: string, destination: string): Promise<number> {
  const out = createWriteStream(destination);
  let marked = 0;
  const write = async (chunk: Buffer | string): Promise<void> => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  const emit = async (line: Buffer, newline: boolean): Promise<void> => {
    if (isUtf8(line)) {
      await write(line);
    } else {
      marked++;
      await write(INVALID_UTF8_MARK + line.toString('utf8'));
    }
    if (newline) await write('\n');
  };
  // Pieces of the line being read; joined once when its newline arrives, so a 10 MB line costs one copy
  // (joining on every chunk would copy it hundreds of times and balloon the process's memory).
  let pieces: Buffer[] = [];
  for await (const chunk of createReadStream(source) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const tail = chunk.subarray(start, nl);
      await emit(pieces.length > 0 ? Buffer.concat([...pieces, tail]) : tail, true);
      pieces = [];
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length > 0) await emit(Buffer.concat(pieces), false);
  out.end();
  await once(out, 'finish');
  return marked;
}
