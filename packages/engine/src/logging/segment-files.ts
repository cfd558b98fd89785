import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** How many segments a process keeps open while no try writes them (the runs it is likely to see again). */
const IDLE_OPEN = 16;

interface Segment {
  readonly opening: Promise<number>;
  fd: number | null;
  users: number;
}

/**
 * The log segments a process has open for appending, shared by the tries that write them. A segment in use
 * is never closed (its descriptor number could otherwise be re-used by another file under a writer's feet);
 * once no try uses it, it stays open among the `IDLE_OPEN` most recently used, so the next try of the same
 * run writes without an `open`.
 */
export class SegmentFiles {
  readonly #open = new Map<string, Segment>();

  /** A descriptor for appending to `file` (created with its folder if needed); `release` it when done. */
  acquire(file: string): Promise<number> {
    let segment = this.#open.get(file);
    if (segment) {
      // Most recently used last, for the idle eviction below.
      this.#open.delete(file);
    } else {
      const opening = openAppend(file);
      segment = { opening, fd: null, users: 0 };
      const s = segment;
      opening.then(
        (fd) => {
          s.fd = fd;
        },
        () => this.#open.delete(file),
      );
    }
    segment.users += 1;
    this.#open.set(file, segment);
    return segment.opening;
  }

  /** The try that acquired `file` no longer writes it. */
  release(file: string): void {
    const segment = this.#open.get(file);
    if (!segment) return;
    segment.users = Math.max(0, segment.users - 1);
    this.#evictIdle();
  }

  /** Closes every segment (the process is done with logs). */
  closeAll(): void {
    for (const [file, segment] of this.#open) this.#close(file, segment);
  }

  #evictIdle(): void {
    let idle = 0;
    for (const s of this.#open.values()) if (s.users === 0) idle += 1;
    for (const [file, segment] of this.#open) {
      if (idle <= IDLE_OPEN) break;
      if (segment.users === 0 && segment.fd !== null) {
        this.#close(file, segment);
        idle -= 1;
      }
    }
  }

  #close(file: string, segment: Segment): void {
    this.#open.delete(file);
    if (segment.fd !== null) fs.closeSync(segment.fd);
    else segment.opening.then((fd) => fs.closeSync(fd)).catch(() => {});
  }
}

/** Creates the file's folder with one mkdir when its parent exists (the common case), then opens the file. */
async function openAppend(file: string): Promise<number> {
  const dir = path.dirname(file);
  try {
    await fsp.mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') await fsp.mkdir(dir, { recursive: true });
    else if (code !== 'EEXIST') throw error;
  }
  // A raw descriptor (not a FileHandle, which closes itself when collected); writes on it stay synchronous,
  // so the lines written before a crash are on disk.
  return new Promise<number>((resolve, reject) => {
    fs.open(file, 'a', (error, fd) => (error ? reject(error) : resolve(fd)));
  });
}
