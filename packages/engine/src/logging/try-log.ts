import fs from 'node:fs';
import { LineFormatter } from './format-line.js';
import type { LogFields, LogLevel, TaskInstanceKey, TaskLogger } from './logger.js';
import type { SecretMasker } from './mask.js';
import { runLogPath } from './run-log.js';
import { SegmentFiles } from './segment-files.js';

/** Where one try's lines go: a file descriptor or a callback (for `dag test`). */
interface Sink {
  write(line: string): void;
  readonly masker: SecretMasker;
}

/** One per engine (or worker process): formats try loggers' lines and routes them to their run's segment. */
export class LogRouter {
  readonly #logger: LineFormatter;
  readonly #segments = new SegmentFiles();

  /** `level`: the least severe level written (`debug` writes everything). */
  constructor(
    readonly logsDir: string,
    level: LogLevel = 'debug',
  ) {
    this.#logger = new LineFormatter(level);
  }

  /** The run's log segment, `<logs>/dag_id=<dag>/run_id=<run>/tries.log`, where the try writes its lines. */
  pathOf(key: TaskInstanceKey): string {
    return runLogPath(this.logsDir, key);
  }

  /**
   * The log of a try: its lines are appended to the run's segment `file`, which stays open for the next try
   * of the run (a small set of segments is kept open per process). The first try of a run in this process
   * opens it on libuv's thread pool, off the scheduler's thread; `ready` settles when it is open.
   */
  openTryLog(key: TaskInstanceKey, masker: SecretMasker, file: string = this.pathOf(key)): TryLog {
    return new TryLog(this.#logger, key, file, this.#segments.acquire(file), masker, () =>
      this.#segments.release(file),
    );
  }

  /** A logger whose lines go to a callback instead of a file (used by `dag test`). */
  callbackLogger(
    key: TaskInstanceKey,
    masker: SecretMasker,
    onLine: (line: Readonly<Record<string, unknown>>) => void,
  ): TaskLogger {
    const sink: Sink = { masker, write: (line) => onLine(JSON.parse(line)) };
    return new ScopedLogger(this.#logger, key, sink);
  }

  close(): void {
    this.#segments.closeAll();
  }
}

class ScopedLogger implements TaskLogger {
  constructor(
    private readonly logger: LineFormatter,
    readonly scope: TaskInstanceKey,
    private readonly sink: Sink,
  ) {}

  #write(level: LogLevel, message: string, fields?: LogFields): void {
    const line = this.logger.format(this.scope, level, message, fields);
    // Written synchronously, so the lines of a try that is killed mid-way are on disk up to its last call.
    if (line !== undefined) this.sink.write(`${this.sink.masker.mask(line)}\n`);
  }

  error(message: string, fields?: LogFields): void {
    this.#write('error', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.#write('warn', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.#write('info', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.#write('debug', message, fields);
  }
}

/**
 * The log of one try: a scoped logger over its run's segment. Each line is one `write` on a descriptor opened
 * for appending, so lines of tries in other processes writing the same segment never interleave inside a
 * line, and the lines written before a crash are on disk. Lines written before the segment is open are kept
 * in order and written as soon as it is.
 */
export class TryLog {
  readonly logger: TaskLogger;
  /** Resolves when the segment is open; rejects when it cannot be created (the try then fails). */
  readonly ready: Promise<void>;
  #fd: number | null = null;
  #pending: string[] = [];
  #closed = false;

  constructor(
    logger: LineFormatter,
    key: TaskInstanceKey,
    readonly path: string,
    opening: Promise<number>,
    masker: SecretMasker,
    private readonly release: () => void = () => {},
  ) {
    const sink: Sink = {
      masker,
      write: (line) => {
        if (this.#fd !== null && !this.#closed) fs.writeSync(this.#fd, line);
        else if (!this.#closed) this.#pending.push(line);
        // A body that logs after its try ended (a late timer, an ignored abort): the line still lands here.
        else fs.appendFileSync(this.path, line);
      },
    };
    this.logger = new ScopedLogger(logger, key, sink);
    this.ready = opening.then((fd) => {
      this.#fd = fd;
      const pending = this.#pending.join('');
      this.#pending = [];
      // Still ours even if the try was closed meanwhile: the segment is released only after this.
      if (pending !== '') fs.writeSync(fd, pending);
    });
    // The scheduler awaits `ready` before the task body; a close before that must not leave a rejection unseen.
    this.ready.catch(() => {});
  }

  /** Writes the error (message and stack) as the last line, for failed tries. */
  logError(error: Error): void {
    this.logger.error(`try failed: ${error.message}`, {
      error: { name: error.name, message: error.message, stack: error.stack },
    });
  }

  /** Ends the try's log: later lines (a body that outlives its try) are appended by path. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fd = null;
    // Released once open (and the lines written before that are in): it may stay open for the run's next try.
    this.ready.then(this.release, this.release);
  }
}
