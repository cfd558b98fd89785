import fs from 'node:fs';
import type { TaskInstanceKey } from '../logging/logger.js';
import { textOf } from '../logging/run-log.js';

/** Stores one piece of a try's log (the run store's `appendTryLog`). */
export type ShipLog = (key: TaskInstanceKey, offset: number, text: string) => Promise<void>;

/** How often a running try's new lines are shipped: what `dag logs --follow` on another machine lags by. */
export const SHIP_EVERY_MS = 1_000;
/** The largest piece stored in one row. */
const MAX_PIECE = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Ships the lines a worker writes for one try (in its run's log segment) to the run store, so `dag logs` works
 * from any machine: whole lines every `SHIP_EVERY_MS` while the try runs, the rest when it ends. Only the
 * try's own lines are shipped; each piece is stored at its byte offset in the try's log (those lines alone),
 * so a piece shipped twice (a retry after a lost reply) is stored once. The segment stays on the worker's disk
 * as well.
 */
export class LogShipper {
  /** How far the segment has been read. */
  #read = 0;
  /** Bytes of the try's own lines shipped so far. */
  #offset = 0;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  #lastError: Error | null = null;

  constructor(
    private readonly key: TaskInstanceKey,
    private readonly file: string,
    private readonly ship: ShipLog,
    private readonly everyMs = SHIP_EVERY_MS,
  ) {
    // The segment holds the run's earlier tries on this machine: this try's lines come after them.
    this.#read = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  }

  start(): void {
    this.#timer = setInterval(() => this.#queue(false), this.everyMs);
  }

  /** Stops the timer and ships what is left (a last line without a newline included). Never rejects. */
  async finish(): Promise<Error | null> {
    clearInterval(this.#timer);
    for (let attempt = 1; attempt <= 3; attempt++) {
      this.#lastError = null;
      this.#queue(true);
      await this.#chain;
      if (!this.#lastError) return null;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    return this.#lastError;
  }

  /** Bytes shipped so far. */
  get shipped(): number {
    return this.#offset;
  }

  #queue(final: boolean): void {
    this.#chain = this.#chain.then(() =>
      this.#shipNew(final).catch((error: Error) => {
        // The database is away: the next tick (or `finish`) ships from the same offset again.
        this.#lastError = error;
      }),
    );
  }

  async #shipNew(final: boolean): Promise<void> {
    const size = fs.statSync(this.file, { throwIfNoEntry: false })?.size ?? 0;
    while (size > this.#read) {
      const length = Math.min(size - this.#read, MAX_PIECE);
      const buffer = Buffer.alloc(length);
      const fd = fs.openSync(this.file, 'r');
      try {
        fs.readSync(fd, buffer, 0, length, this.#read);
      } finally {
        fs.closeSync(fd);
      }
      // Whole lines only while the try runs (a piece never ends inside a line or a UTF-8 character).
      const end = final && length === size - this.#read ? length : buffer.lastIndexOf(NEWLINE) + 1;
      if (end === 0) return;
      const own = textOf(buffer.subarray(0, end).toString('utf8'), this.key);
      if (own !== '') await this.ship(this.key, this.#offset, own);
      this.#read += end;
      this.#offset += Buffer.byteLength(own);
    }
  }
}
