import type { Io } from './io.js';

export function println(io: Io, text = ''): void {
  io.stdout.write(`${text}\n`);
}

export function eprintln(io: Io, text = ''): void {
  io.stderr.write(`${text}\n`);
}

/** `--json` output: exactly one JSON document on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
