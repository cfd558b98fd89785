import type { ObjectStore } from '@streampro/operators';
import { DATASET, type Dataset } from './datasets.js';

/** At most this much of a file is read to find its header line. */
const HEADER_LIMIT = 64 * 1024;

/** The first line of an object (BOM and CR removed), reading no more than HEADER_LIMIT bytes. */
async function firstLine(store: ObjectStore, key: string): Promise<string> {
  const stream = await store.getStream(key);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buffer);
      size += buffer.length;
      if (buffer.includes(0x0a) || size >= HEADER_LIMIT) break;
    }
  } finally {
    stream.destroy();
  }
  const text = Buffer.concat(chunks).subarray(0, HEADER_LIMIT).toString('utf8');
  return text
    .split('\n', 1)[0]!
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '');
}

/**
 * The contract's columns a CSV delivery's header does not have. A missing required column already fails
 * `trusted`; a missing optional one loads as NULLs, so the quality step names it instead of passing a column
 * that was never delivered. JSON Lines have no header (an optional field may be left out line by line).
 */
export async function absentColumns(lake: ObjectStore, dataset: Dataset, ds: string): Promise<string[]> {
  const facts = DATASET[dataset];
  if (facts.format !== 'csv') return [];
  const header = await firstLine(lake, facts.keys(ds).raw);
  const present = new Set(
    header.split(',').map((f) =>
      f
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase(),
    ),
  );
  return Object.entries(facts.schema.columns)
    .map(([name, column]) => column.source ?? name)
    .filter((name) => !present.has(name.toLowerCase()));
}
