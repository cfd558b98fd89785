import type { Palette } from './colors.js';

/** Fields every log line carries; the rest are shown as `key=value` after the message. */
export const SCOPE_FIELDS = new Set([
  'timestamp',
  'level',
  'message',
  'dagId',
  'runId',
  'taskId',
  'tryNumber',
  'error',
]);

export type LogLine = Readonly<Record<string, unknown>>;

/** Parses one stored JSON line; a line that is not JSON (a torn write) is kept as a message. */
export function parseLogLine(text: string): LogLine {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as LogLine;
  } catch {
    // fall through: show the raw text rather than hide it
  }
  return { level: 'info', message: text };
}

/** `13:04:05.123 INFO  message key=value`, with the error (and its stack) under a failed line. */
export function formatLogLine(line: LogLine, p: Palette): string {
  const ts = typeof line.timestamp === 'string' ? line.timestamp : '';
  const time = ts.length >= 23 ? ts.slice(11, 23) : ts;
  const level = String(line.level ?? 'info');
  const colour =
    level === 'error' ? p.red : level === 'warn' ? p.yellow : level === 'debug' ? p.dim : p.green;
  const extras = Object.entries(line)
    .filter(([k]) => !SCOPE_FIELDS.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const head = [p.dim(time), colour(level.toUpperCase().padEnd(5)), String(line.message ?? ''), ...extras]
    .filter((s) => s !== '')
    .join(' ');
  const error = line.error as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
  if (!error || typeof error !== 'object') return head;
  const stack =
    typeof error.stack === 'string' ? error.stack : `${String(error.name)}: ${String(error.message)}`;
  return `${head}\n${p.red(indent(stack))}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l.trim()}`)
    .join('\n');
}
