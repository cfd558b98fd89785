import fsp from 'node:fs/promises';
import { linesOf, type TaskInstanceKey } from '@streampro/engine';
import { type LogLine, parseLogLine, SCOPE_FIELDS } from '../render/log-format.js';
import { escapeHtml, type Html, h, trusted } from './html.js';

/** winston's npm levels, most severe first: a level filter shows its level and the ones above it. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevelFilter = (typeof LOG_LEVELS)[number];

/** One parsed line of a try's log, numbered from 1. */
export interface ParsedLine {
  readonly n: number;
  readonly time: string;
  readonly level: string;
  readonly message: string;
  readonly fields: string;
  readonly stack: string | null;
}

export function parseLine(n: number, text: string): ParsedLine {
  const line: LogLine = parseLogLine(text);
  const ts = typeof line.timestamp === 'string' ? line.timestamp : '';
  const fields = Object.entries(line)
    .filter(([k]) => !SCOPE_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const error = line.error as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  const stack =
    error && typeof error === 'object'
      ? typeof error.stack === 'string'
        ? error.stack
        : `${String(error.name)}: ${String(error.message)}`
      : null;
  return {
    n,
    time: ts.length >= 23 ? ts.slice(11, 23) : ts,
    level: String(line.level ?? 'info'),
    message: String(line.message ?? ''),
    fields,
    stack,
  };
}

export function levelShown(level: string, filter: LogLevelFilter): boolean {
  const rank = (LOG_LEVELS as readonly string[]).indexOf(level);
  return rank === -1 || rank <= LOG_LEVELS.indexOf(filter);
}

export function matches(line: ParsedLine, needle: string): boolean {
  if (needle === '') return true;
  const n = needle.toLowerCase();
  return (
    line.message.toLowerCase().includes(n) ||
    line.fields.toLowerCase().includes(n) ||
    (line.stack?.toLowerCase().includes(n) ?? false)
  );
}

/**
 * The complete lines of a try in a log file (its run's segment, whose lines carry their try's key) and the byte
 * length of the file they span (a torn last line waits for its end).
 */
export async function readLog(
  file: string,
  key: TaskInstanceKey,
): Promise<{ lines: string[]; bytes: number } | undefined> {
  let buffer: Buffer;
  try {
    buffer = await fsp.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const end = buffer.lastIndexOf(0x0a) + 1;
  const text = buffer.subarray(0, end).toString('utf8');
  return { lines: text === '' ? [] : linesOf(text.slice(0, -1), key), bytes: end };
}

/** The try's lines appended after `offset`: the complete ones, and the offset after them. */
export async function readLogFrom(
  file: string,
  offset: number,
  key: TaskInstanceKey,
): Promise<{ lines: string[]; bytes: number }> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], bytes: offset };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { lines: [], bytes: offset };
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    const end = buffer.lastIndexOf(0x0a) + 1;
    if (end === 0) return { lines: [], bytes: offset };
    return {
      lines: linesOf(buffer.subarray(0, end - 1).toString('utf8'), key),
      bytes: offset + end,
    };
  } finally {
    await handle.close();
  }
}

/** Text with every case-insensitive occurrence of `needle` marked (both escaped). */
function marked(text: string, needle: string): Html {
  if (!needle) return h`${text}`;
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  let out = '';
  let at = 0;
  for (let i = lower.indexOf(n); i !== -1; i = lower.indexOf(n, at)) {
    out += `${escapeHtml(text.slice(at, i))}<mark>${escapeHtml(text.slice(i, i + n.length))}</mark>`;
    at = i + n.length;
  }
  return trusted(out + escapeHtml(text.slice(at)));
}

export function lineRow(line: ParsedLine, needle: string): Html {
  const lvl = line.level.toLowerCase();
  return h`<tr id="L${line.n}" data-level="${lvl}"><td class="n">${line.n}</td><td class="mono">${line.time}</td><td class="lvl-${lvl}">${line.level.toUpperCase()}</td><td class="msg">${marked(line.message, needle)}${line.fields ? h` <span class="fields">${marked(line.fields, needle)}</span>` : ''}${line.stack ? h`<pre tabindex="0">${marked(line.stack, needle)}</pre>` : ''}</td></tr>`;
}
