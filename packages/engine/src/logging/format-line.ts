import { configure } from 'safe-stable-stringify';
import type { LogFields, LogLevel, TaskInstanceKey } from './logger.js';

/** The severity rank of each level (npm's order, as winston has it): lower is more severe. */
const RANK: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 5 };

/** Keys sorted, cycles and BigInts survive: the same JSON winston's `json()` format wrote before. */
const stringify = configure({});

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Formats the lines of try logs: one JSON object per line with the caller's fields, `level`, `message`, the
 * try's key and an ISO `timestamp`. Lines less severe than `level` are dropped. Formatting is direct (no
 * logger pipeline of streams between the call and the write): on a short try the log lines are a large part
 * of what the engine does.
 */
export class LineFormatter {
  readonly #max: number;

  /** `level`: the least severe level written (`debug` writes everything). */
  constructor(level: LogLevel = 'debug') {
    this.#max = RANK[level];
  }

  /** The line (without its newline), or undefined when `level` is filtered out. */
  format(key: TaskInstanceKey, level: LogLevel, message: string, fields?: LogFields): string | undefined {
    if (RANK[level] > this.#max) return undefined;
    return stringify(
      { ...fields, level, message, ...key, timestamp: new Date().toISOString() },
      replacer,
    ) as string;
  }
}
