import { NonRetryableError } from '@streampro/engine';

/** A key that cannot be stored safely on every backend. Never retried: the same key fails the same way. */
export class InvalidKeyError extends NonRetryableError {
  override readonly name = 'InvalidKeyError';
  constructor(
    readonly key: string,
    readonly rule: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${rule}`);
  }
}

/** Folder of a local store that holds in-flight writes; reserved so no key can collide with it. */
export const LOCAL_TEMP_DIR = '.streampro-tmp';

/** C0 controls (NUL included) and DEL: invisible in logs and unsafe in file names. */
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function checkCommon(key: string): void {
  if (hasControlChar(key)) throw new InvalidKeyError(key, 'NUL and control characters are not allowed');
  if (key.includes('\\')) throw new InvalidKeyError(key, "backslashes are not allowed; use '/'");
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'keys are relative: no leading /');
}

function checkSegments(key: string, segments: readonly string[]): void {
  for (const segment of segments) {
    if (segment === '') throw new InvalidKeyError(key, 'empty path segments (//) are not allowed');
    if (segment === '.' || segment === '..') {
      throw new InvalidKeyError(key, "'.' and '..' segments are not allowed");
    }
  }
  if (segments[0] === LOCAL_TEMP_DIR) throw new InvalidKeyError(key, `'${LOCAL_TEMP_DIR}' is reserved`);
}

/** Throws InvalidKeyError unless `key` is a relative `/`-separated key that maps to one safe file path. */
export function validateKey(key: string): string {
  if (key === '') throw new InvalidKeyError(key, 'a key must not be empty');
  checkCommon(key);
  if (key.endsWith('/')) throw new InvalidKeyError(key, 'a key must not end with /');
  checkSegments(key, key.split('/'));
  return key;
}

/**
 * Validates a listing prefix. Unlike a key it may be empty, end with `/`, or end mid-segment
 * (`landing/us` matches `landing/users/...`).
 */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkCommon(prefix);
  const segments = prefix.split('/');
  if (segments.at(-1) === '') segments.pop();
  checkSegments(prefix, segments);
  return prefix;
}

/**
 * Joins key parts with `/` and validates the result. Empty parts are dropped and a trailing `/`
 * on a part is tolerated, so `joinKey('landing/users/', 'x.csv')` is `landing/users/x.csv`.
 */
export function joinKey(...parts: readonly string[]): string {
  const kept = parts.filter((part) => part !== '').map((part) => part.replace(/\/+$/, ''));
  return validateKey(kept.join('/'));
}
