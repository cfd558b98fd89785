import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Flushes a finished file to disk so the rename that publishes it never exposes unwritten data. */
export async function fsyncFile(filePath: string): Promise<void> {
  const handle = await open(filePath, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A temp path next to `target` (same folder, so the final rename stays on one filesystem). */
export function siblingTempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.partial`);
}

/**
 * Runs `write(tempPath)`, then renames the temp file onto `target`. On failure the temp file is
 * removed and `target` is left as it was. The temp file's folder must exist: `write` is called
 * synchronously so a caller's stream gets its error listeners in the same tick.
 */
export async function publishAtomically(
  tempPath: string,
  target: string,
  write: (tempPath: string) => Promise<void>,
): Promise<void> {
  try {
    await write(tempPath);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(tempPath, target);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}

/** True for errors that mean "no such file" (including a file used as a folder in the path). */
export function isMissingFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
