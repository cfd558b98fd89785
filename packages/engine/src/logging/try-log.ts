import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import winston from 'winston';
import TransportStream from 'winston-transport';
import type { LogFields, LogLevel, TaskInstanceKey, TaskLogger } from './logger.js';
import type { SecretMasker } from './mask.js';

const SINK = Symbol('streampro.sink');
const MESSAGE = Symbol.for('message');

/** Where one try's lines go: a file descriptor or a callback (for `dag test`). */
interface Sink {
  write(line: string): void;
  readonly masker: SecretMasker;
}

type Info = winston.Logform.TransformableInfo & { [SINK]?: Sink; [MESSAGE]?: string };

/**
 * Writes each formatted line to the sink named in the record, synchronously, so the lines of a try that is
 * killed mid-way are on disk up to its last call.
 */
class SinkTransport extends TransportStream {
  override log(info: Info, next: () => void): void {
    const sink = info[SINK];
    const line = info[MESSAGE];
    if (sink && line !== undefined) sink.write(`${sink.masker.mask(line)}\n`);
    next();
  }
}

/** `<logs>/dag_id=<dag>/run_id=<run>/task_id=<task>/attempt=<n>.log`: where a try's log is on its machine. */
export function tryLogPath(logsDir: string, key: TaskInstanceKey): string {
  return path.join(
    logsDir,
    `dag_id=${key.dagId}`,
    `run_id=${key.runId}`,
    `task_id=${key.taskId}`,
    `attempt=${key.tryNumber}.log`,
  );
}

/** One winston logger per engine; try loggers route their lines to their own files through it. */
export class LogRouter {
  readonly #logger: winston.Logger;

  /** `level`: the least severe level written (`debug` writes everything). */
  constructor(
    readonly logsDir: string,
    level: LogLevel = 'debug',
  ) {
    this.#logger = winston.createLogger({
      level,
      format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      transports: [new SinkTransport()],
    });
  }

  /** `<logs>/dag_id=<dag>/run_id=<run>/task_id=<task>/attempt=<n>.log` */
  pathOf(key: TaskInstanceKey): string {
    return tryLogPath(this.logsDir, key);
  }

  /**
   * Starts opening the log file of a try (appending, so a re-used try number never loses earlier lines).
   * The folder and file are created on libuv's thread pool, off the scheduler's thread: on slow file
   * systems they cost more than everything else a short task does. `ready` settles when the file is open.
   */
  openTryLog(key: TaskInstanceKey, masker: SecretMasker, file: string = this.pathOf(key)): TryLog {
    return new TryLog(this.#logger, key, file, openAppend(file), masker);
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
    this.#logger.close();
  }
}

class ScopedLogger implements TaskLogger {
  constructor(
    private readonly logger: winston.Logger,
    readonly scope: TaskInstanceKey,
    private readonly sink: Sink,
  ) {}

  #write(level: LogLevel, message: string, fields?: LogFields): void {
    this.logger.log({ ...fields, level, message, ...this.scope, [SINK]: this.sink });
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

/**
 * The log of one try: a scoped logger over its file, closed when the try ends. Lines written before the
 * file is open are kept in order and flushed as soon as it is.
 */
export class TryLog {
  readonly logger: TaskLogger;
  /** Resolves when the file is open; rejects when it cannot be created (the try then fails). */
  readonly ready: Promise<void>;
  #fd: number | null = null;
  #pending: string[] = [];
  #closed = false;
  #opened = false;

  constructor(
    logger: winston.Logger,
    key: TaskInstanceKey,
    readonly path: string,
    opening: Promise<number>,
    masker: SecretMasker,
  ) {
    const sink: Sink = {
      masker,
      write: (line) => {
        if (this.#fd !== null) fs.writeSync(this.#fd, line);
        else if (!this.#opened) this.#pending.push(line);
        // A body that logs after its try ended (a late timer, an ignored abort): the line still lands here.
        else fs.appendFileSync(this.path, line);
      },
    };
    this.logger = new ScopedLogger(logger, key, sink);
    this.ready = opening.then((fd) => {
      this.#fd = fd;
      this.#opened = true;
      for (const line of this.#pending) fs.writeSync(fd, line);
      this.#pending = [];
      if (this.#closed) this.#closeFd();
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

  /** Closes the file once every line is written (at once if it is already open). */
  close(): void {
    this.#closed = true;
    if (this.#fd !== null) this.#closeFd();
  }

  #closeFd(): void {
    if (this.#fd === null) return;
    fs.closeSync(this.#fd);
    this.#fd = null;
  }
}
