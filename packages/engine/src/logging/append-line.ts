import fs from 'node:fs';
import path from 'node:path';
import type { LogFields, LogLevel, TaskInstanceKey } from './logger.js';
import type { SecretMasker } from './mask.js';

/**
 * Appends one line, in the format of the try loggers, to a try's log file from outside the process that runs
 * it: the scheduler's own notes (retry delays, timeouts) and raw output of a worker process. Masked first.
 */
export function appendLogLine(
  file: string,
  key: TaskInstanceKey,
  masker: SecretMasker,
  level: LogLevel,
  message: string,
  fields: LogFields = {},
): void {
  const line = JSON.stringify({
    ...fields,
    level,
    message,
    ...key,
    timestamp: new Date().toISOString(),
  });
  try {
    fs.appendFileSync(file, `${masker.mask(line)}\n`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${masker.mask(line)}\n`);
  }
}
