import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';

/**
 * One streaming pass over a file's bytes that decides whether DuckDB's native parallel readers give exactly
 * what the line-by-line path gives. They do when every physical line is a record of its own and nothing in a
 * line needs the careful path: then the n-th row read is the n-th line, and a rejected row's text can be
 * fetched back by its number (`line-texts.ts`). Counts the lines too, so the native read is checked against
 * an independent count.
 */

/** Why a file must take the exact, line-by-line path; `null` in `PrescanResult.careful` when none applies. */
export type CarefulReason =
  | 'byte_order_mark'
  | 'nul_byte'
  | 'invalid_utf8'
  | 'line_too_long'
  | 'blank_line'
  | 'lone_cr'
  | 'quote'
  | 'mixed_line_endings';

export interface PrescanResult {
  /** Physical lines: a final line without a line break counts, the empty rest after a final LF does not. */
  readonly lines: number;
  /** The first reason found for the careful path, or null when the native readers are exact for this file. */
  readonly careful: CarefulReason | null;
  /** The line ending of the file: CRLF when every line break is one, else LF. */
  readonly newline: 'lf' | 'crlf';
  /** Byte offset of line `1 + k * CHECKPOINT_LINES` at index k, so a line's text is found without a full read. */
  readonly checkpoints: readonly number[];
}

/** Lines between two checkpoints. */
export const CHECKPOINT_LINES = 64;

export interface PrescanOptions {
  /** A line longer than this (a trailing CR not counted) needs the careful path. */
  readonly maxLineBytes: number;
  /**
   * CSV: any double quote needs the careful path (quoted fields, line breaks inside them), and so do LF and
   * CRLF endings in one file (DuckDB's CSV reader takes one kind).
   */
  readonly csv: boolean;
}

const CHUNK_BYTES = 4 << 20;
const LF = 0x0a;
const CR = 0x0d;

/** True for the bytes SQL `\S` does not match (RE2 `\s`: tab, LF, FF, CR, space): a line of only these is blank. */
const BLANK_BYTE = new Uint8Array(256);
for (const b of [0x09, 0x0a, 0x0c, 0x0d, 0x20]) BLANK_BYTE[b] = 1;

export async function prescan(localPath: string, options: PrescanOptions): Promise<PrescanResult> {
  let lines = 0;
  let careful: CarefulReason | null = null;
  let lineBytes = 0;
  let lineBlank = true;
  let lastByte = -1;
  let first = true;
  let pendingCr = false;
  let crlf = 0;
  let lf = 0;
  let base = 0;
  const checkpoints: number[] = [0];
  // Bytes of a UTF-8 sequence cut by a chunk boundary, checked with the next chunk.
  let carry: Buffer = Buffer.alloc(0);
  const flag = (reason: CarefulReason): void => {
    careful ??= reason;
  };
  const handle = await open(localPath, 'r');
  // One buffer for the whole file: a read stream allocates per chunk and was 7x slower here.
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const raw = buffer.subarray(0, bytesRead);
      if (first) {
        first = false;
        if (raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) flag('byte_order_mark');
      }
      const chunk = carry.length > 0 ? Buffer.concat([carry, raw]) : raw;
      const cut = utf8Boundary(chunk);
      if (!isUtf8(chunk.subarray(0, cut))) flag('invalid_utf8');
      // The carried bytes were already counted as line bytes in the previous chunk.
      const fresh = chunk.subarray(carry.length);
      carry = Buffer.from(chunk.subarray(cut));
      if (fresh.includes(0)) flag('nul_byte');
      if (options.csv && fresh.includes(0x22)) flag('quote');
      // A CR is only a line ending right before LF: one anywhere else would end a line for DuckDB's reader.
      if (pendingCr) {
        if (fresh[0] === LF) crlf++;
        else flag('lone_cr');
      }
      pendingCr = false;
      for (let cr = fresh.indexOf(CR); cr >= 0; cr = fresh.indexOf(CR, cr + 1)) {
        if (cr === fresh.length - 1) pendingCr = true;
        else if (fresh[cr + 1] === LF) crlf++;
        else flag('lone_cr');
      }
      let start = 0;
      for (let nl = fresh.indexOf(LF); nl >= 0; nl = fresh.indexOf(LF, start)) {
        // The common line: in one chunk, starting with a byte that is not blank, not too long.
        if (lineBytes === 0 && nl > start && BLANK_BYTE[fresh[start] as number] === 0) {
          const content = fresh[nl - 1] === CR ? nl - 1 - start : nl - start;
          if (content > options.maxLineBytes) flag('line_too_long');
          lines++;
        } else {
          takePart(fresh, start, nl);
          closeLine();
        }
        start = nl + 1;
        lf++;
        if (lines % CHECKPOINT_LINES === 0) checkpoints.push(base + start);
      }
      takePart(fresh, start, fresh.length);
      base += fresh.length;
      if (careful !== null) break;
    }
  } finally {
    await handle.close();
  }
  if (careful === null) {
    if (carry.length > 0) flag('invalid_utf8');
    if (pendingCr) flag('lone_cr');
    if (lineBytes > 0) closeLine();
  }
  if (options.csv && crlf > 0 && crlf < lf) flag('mixed_line_endings');
  return { lines, careful, newline: crlf > 0 ? 'crlf' : 'lf', checkpoints };

  function takePart(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    lineBytes += to - from;
    if (lineBlank)
      for (let i = from; i < to && lineBlank; i++) lineBlank = BLANK_BYTE[buf[i] as number] === 1;
    lastByte = buf[to - 1] as number;
  }

  function closeLine(): void {
    const content = lastByte === CR && lineBytes > 0 ? lineBytes - 1 : lineBytes;
    if (content > options.maxLineBytes) flag('line_too_long');
    if (lineBlank) flag('blank_line');
    lines++;
    lineBytes = 0;
    lineBlank = true;
    lastByte = -1;
  }
}

/** Length of the prefix of `buf` that does not end inside a UTF-8 sequence. */
function utf8Boundary(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back] as number;
    if ((b & 0xc0) !== 0x80) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? n - back : n;
    }
  }
  return n;
}

/** The ending of the first line break of a file (LF when it has none): what `prescan` will say if it is clean. */
export async function firstNewline(localPath: string): Promise<'lf' | 'crlf'> {
  const handle = await open(localPath, 'r');
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    for (let at = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
      if (bytesRead === 0) return 'lf';
      const i = buffer.subarray(0, bytesRead).indexOf(LF);
      if (i > 0) return buffer[i - 1] === CR ? 'crlf' : 'lf';
      if (i === 0) {
        if (at === 0) return 'lf';
        const { buffer: before } = await handle.read(Buffer.alloc(1), 0, 1, at - 1);
        return before[0] === CR ? 'crlf' : 'lf';
      }
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
