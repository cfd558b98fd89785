import { OutputNotSerializableError, OutputTooLargeError } from '../model/errors.js';

/** Largest task output kept in the state store, as UTF-8 JSON. Big data belongs in storage. */
export const MAX_OUTPUT_BYTES = 64 * 1024;

/**
 * Returns the output as the store will return it (a JSON round trip), so a resumed run sees exactly what a
 * fresh one saw. `undefined` becomes null.
 */
export function normalizeOutput(taskId: string, value: unknown): unknown {
  if (value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new OutputNotSerializableError(taskId, (error as Error).message);
  }
  if (text === undefined) throw new OutputNotSerializableError(taskId, `a ${typeof value} has no JSON form`);
  const size = Buffer.byteLength(text);
  if (size > MAX_OUTPUT_BYTES) throw new OutputTooLargeError(taskId, size, MAX_OUTPUT_BYTES);
  return JSON.parse(text);
}
