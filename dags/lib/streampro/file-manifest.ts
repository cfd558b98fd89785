import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NonRetryableError } from '@streampro/engine';

/**
 * A delivery may come with a file manifest, `manifests/files_D.json` in the data folder: a JSON array of
 * `{ "file", "bytes", "sha256", "lines" }`, one entry per landing file of date D. A file with an entry is
 * checked against it before landing, so a truncated or altered delivery fails `land` instead of being
 * loaded; a file without one (or a day without a manifest) lands as before.
 */

export interface FileFacts {
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  /** Physical lines: line feeds, plus one for a last line without one. */
  readonly lines: number;
}

export interface ManifestEntry extends FileFacts {
  readonly file: string;
}

/** Path of date `ds`'s file manifest, relative to the data folder. */
export function fileManifestPath(ds: string): string {
  return path.join('manifests', `files_${ds}.json`);
}

/** Size, SHA-256 and line count of bytes in memory (what the generator writes). */
export function factsOf(bytes: Uint8Array): FileFacts {
  let lines = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lines++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) lines++;
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), lines };
}

/** Size, SHA-256 and line count of a file, streamed. */
export async function fileFacts(file: string): Promise<FileFacts> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lines = 0;
  let last = -1;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
    last = chunk[chunk.length - 1] ?? last;
  }
  if (bytes > 0 && last !== 0x0a) lines++;
  return { bytes, sha256: hash.digest('hex'), lines };
}

/** Throws NonRetryableError naming both values of each difference when `file` does not match its entry. */
export async function checkAgainstManifest(folder: string, file: string, ds: string): Promise<void> {
  const manifest = fileManifestPath(ds);
  const entry = readEntry(path.join(folder, manifest), manifest, file);
  if (entry === undefined) return;
  const actual = await fileFacts(path.join(folder, file));
  const differences: string[] = [];
  if (actual.bytes !== entry.bytes) differences.push(`${actual.bytes} bytes (manifest: ${entry.bytes})`);
  if (actual.sha256 !== entry.sha256.toLowerCase())
    differences.push(`sha256 ${actual.sha256} (manifest: ${entry.sha256})`);
  if (actual.lines !== entry.lines) differences.push(`${actual.lines} lines (manifest: ${entry.lines})`);
  if (differences.length > 0) {
    throw new NonRetryableError(
      `landing file ${file} does not match ${manifest}: ${differences.join(', ')}; ` +
        'have the file delivered again (or its manifest corrected)',
    );
  }
}

function readEntry(absolute: string, manifest: string, file: string): ManifestEntry | undefined {
  if (!fs.existsSync(absolute)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new NonRetryableError(
      `${manifest} is not valid JSON (${(error as Error).message}): fix or remove it`,
    );
  }
  if (!Array.isArray(parsed)) throw new NonRetryableError(`${manifest} must be a JSON array of file entries`);
  const found = parsed.find((e: unknown) => (e as { file?: unknown } | null)?.file === file) as unknown;
  if (found === undefined) return undefined;
  const e = found as Record<string, unknown>;
  if (
    !Number.isSafeInteger(e.bytes) ||
    typeof e.sha256 !== 'string' ||
    !/^[0-9a-fA-F]{64}$/.test(e.sha256) ||
    !Number.isSafeInteger(e.lines)
  ) {
    throw new NonRetryableError(
      `${manifest}: the entry of ${file} needs "bytes" (integer), "sha256" (64 hex digits) and "lines" (integer)`,
    );
  }
  return { file, bytes: e.bytes as number, sha256: e.sha256, lines: e.lines as number };
}
