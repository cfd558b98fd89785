import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface CsvHeader {
  readonly fields: string[];
  /** 1-based line number of the header (blank lines before it are counted). */
  readonly line: number;
}

/**
 * Reads the first non-blank line of a CSV file as its header; only that line is read, the rest
 * of the file stays on disk. Undefined for a file with no non-blank line.
 */
export async function readCsvHeader(localPath: string, delimiter = ','): Promise<CsvHeader | undefined> {
  const stream = createReadStream(localPath, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      const clean = (line === 1 ? text.replace(/^\uFEFF/, '') : text).replace(/\r$/, '');
      if (clean.trim() !== '') return { fields: splitCsvLine(clean, delimiter), line };
    }
    return undefined;
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** RFC 4180 split of one line (quoted fields with doubled quotes); lenient, used for the header only. */
export function splitCsvLine(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}
