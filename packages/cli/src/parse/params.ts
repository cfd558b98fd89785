import { UsageError } from '../errors.js';

/**
 * Parses repeated `--param key=value` flags. Values stay strings: the engine converts them to each param's
 * declared type and rejects unknown names.
 */
export function parseParamFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    const key = eq > 0 ? flag.slice(0, eq).trim() : '';
    if (key === '') {
      throw new UsageError(
        `malformed --param ${JSON.stringify(flag)}: expected key=value, e.g. --param limit=10`,
      );
    }
    if (key in out) throw new UsageError(`--param '${key}' is given twice; give each param once`);
    out[key] = flag.slice(eq + 1);
  }
  return out;
}

/** Parses `--try N`, `--limit N`, `--max-active-runs N`: a positive integer. */
export function positiveInt(flag: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--${flag} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
