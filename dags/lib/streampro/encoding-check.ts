import { isAscii, isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { NonRetryableError } from '@streampro/engine';

/** What a scan of a file's bytes found. */
export interface EncodingScan {
  /** Lines that are not valid UTF-8. */
  readonly invalidLines: number;
  /** Lines holding valid UTF-8 beyond ASCII (é as C3 A9, …). */
  readonly utf8Lines: number;
  /** 1-based number of the first invalid line, or null. */
  readonly firstInvalidLine: number | null;
}

/** Scans a file line by line for UTF-8 validity (native checks per block; lines looked at only in bad blocks). */
export async function scanEncoding(file: string): Promise<EncodingScan> {
  let invalidLines = 0;
  let utf8Lines = 0;
  let firstInvalidLine: number | null = null;
  let line = 1;
  let carry: Buffer = Buffer.alloc(0);
  const count = (piece: Buffer): void => {
    if (isAscii(piece)) {
      line += lineFeeds(piece);
      return;
    }
    if (isUtf8(piece)) {
      utf8Lines += 1;
      line += lineFeeds(piece);
      return;
    }
    let start = 0;
    while (start < piece.length) {
      const end = piece.indexOf(0x0a, start);
      const stop = end < 0 ? piece.length : end + 1;
      const one = piece.subarray(start, stop);
      if (!isUtf8(one)) {
        invalidLines += 1;
        firstInvalidLine ??= line;
      } else if (!isAscii(one)) utf8Lines += 1;
      if (end >= 0) line += 1;
      start = stop;
    }
  };
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    const block = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const last = block.lastIndexOf(0x0a);
    if (last < 0) {
      carry = block;
      continue;
    }
    count(block.subarray(0, last + 1));
    carry = Buffer.from(block.subarray(last + 1));
  }
  if (carry.length > 0) count(carry);
  return { invalidLines, utf8Lines, firstInvalidLine };
}

function lineFeeds(piece: Buffer): number {
  let n = 0;
  for (let i = piece.indexOf(0x0a); i >= 0; i = piece.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * Refuses a landing file in another 8-bit encoding: lines that are not UTF-8 and not one line of UTF-8 text
 * beyond ASCII is what ISO-8859-1 / Windows-1252 (or another legacy code page) looks like. A UTF-8 file with a
 * few broken lines among UTF-8 text lands, and those lines are quarantined as `invalid_utf8` by `trusted`.
 */
export async function checkUtf8(dataDir: string, file: string): Promise<void> {
  const scan = await scanEncoding(path.join(dataDir, file));
  if (scan.invalidLines > 0 && scan.utf8Lines === 0) {
    throw new NonRetryableError(
      `landing file ${file} is not UTF-8: ${scan.invalidLines} line(s) hold bytes that are not UTF-8 (first: line ${scan.firstInvalidLine}) and none holds UTF-8 text, as in ISO-8859-1 / Windows-1252; convert it to UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8) and deliver it again`,
    );
  }
}
