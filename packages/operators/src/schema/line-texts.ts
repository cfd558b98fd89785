import { open } from 'node:fs/promises';
import { CHECKPOINT_LINES } from './prescan.js';

/**
 * Fetches the text of chosen physical lines of a file the prescan found clean (no BOM, valid UTF-8, no lone
 * CR), as the line reader of the careful path stores them: without the line break and a CR before it. The
 * native readers give no line text; the few rows that are rejected get theirs here, by number, reading only
 * the blocks of `CHECKPOINT_LINES` lines that hold them.
 */
export async function lineTexts(
  localPath: string,
  checkpoints: readonly number[],
  lineNumbers: readonly number[],
  onText: (line: number, text: string) => void,
): Promise<void> {
  if (lineNumbers.length === 0) return;
  const handle = await open(localPath, 'r');
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  // Where reading resumes: `line` starts at byte `pos`; the buffer holds bytes [bufStart, bufEnd) of the file.
  let pos = 0;
  let line = 1;
  let bufStart = 0;
  let bufEnd = 0;
  let previous = 0;
  const fill = async (at: number): Promise<boolean> => {
    const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, at);
    bufStart = at;
    bufEnd = at + bytesRead;
    return bytesRead > 0;
  };
  /** Offset of the next LF at or after `from`, or -1 at the end of the file (reads on as needed). */
  const nextLf = async (from: number): Promise<number> => {
    let at = from;
    for (;;) {
      if (at < bufStart || at >= bufEnd) {
        if (!(await fill(at))) return -1;
      }
      const i = buffer.subarray(0, bufEnd - bufStart).indexOf(0x0a, at - bufStart);
      if (i >= 0) return bufStart + i;
      at = bufEnd;
    }
  };
  try {
    for (const wanted of lineNumbers) {
      if (!(wanted > previous)) throw new RangeError('lineTexts: line numbers must be increasing');
      previous = wanted;
      const block = Math.floor((wanted - 1) / CHECKPOINT_LINES);
      const blockLine = block * CHECKPOINT_LINES + 1;
      const checkpoint = checkpoints[block];
      if (checkpoint === undefined) throw new RangeError(`lineTexts: no line ${wanted}`);
      if (blockLine > line) {
        pos = checkpoint;
        line = blockLine;
      }
      while (line < wanted) {
        const lf = await nextLf(pos);
        if (lf < 0) throw new RangeError(`lineTexts: no line ${wanted}`);
        pos = lf + 1;
        line++;
      }
      const lf = await nextLf(pos);
      const end = lf < 0 ? await fileSize() : lf;
      const bytes = await slice(pos, end);
      const content = bytes.at(-1) === 0x0d ? bytes.subarray(0, bytes.length - 1) : bytes;
      onText(wanted, content.toString('utf8'));
      pos = end + 1;
      line++;
    }
  } finally {
    await handle.close();
  }

  async function fileSize(): Promise<number> {
    return (await handle.stat()).size;
  }

  /** Bytes [from, to) of the file, from the buffer when it holds them. */
  async function slice(from: number, to: number): Promise<Buffer> {
    if (from >= bufStart && to <= bufEnd) return Buffer.from(buffer.subarray(from - bufStart, to - bufStart));
    const out = Buffer.allocUnsafe(to - from);
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await handle.read(out, done, out.length - done, from + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return out.subarray(0, done);
  }
}

// About one block of `CHECKPOINT_LINES` lines of typical JSON Lines: a text costs one positioned read.
const READ_BYTES = 16 * 1024;
