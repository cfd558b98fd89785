/** Exit codes of the `dag` command. */
export const EXIT = {
  ok: 0,
  /** A run, a task or a date failed; or another process owns the run. */
  failed: 1,
  /** The command line or its inputs are wrong; nothing was changed. */
  usage: 2,
  /** Stopped by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;

/** Bad command-line input detected by the CLI itself. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Errors that mean "the request is wrong", matched by name rather than `instanceof` so this module does not
 * import the engine (keeps `--help` fast) and so errors from another copy of the engine still match.
 */
const USAGE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'UsageError',
  'YError',
  'InvalidInputError',
  'NotFoundError',
  'DagDefinitionError',
  'StateStoreError',
]);

/** Errors that are an expected outcome, reported as one line without a stack trace. */
const EXPECTED_ERROR_NAMES: ReadonlySet<string> = new Set([
  ...USAGE_ERROR_NAMES,
  'LeaseConflictError',
  'LeaseLostError',
]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/**
 * StateStoreError reasons that happen to a store that opened fine, in the middle of work (the server went
 * away, a statement waited too long): the command failed, its input was not wrong.
 */
const STORE_FAILURE_REASONS: ReadonlySet<string> = new Set(['connection_lost', 'timeout']);

export function exitCodeFor(error: unknown): number {
  const name = errorName(error);
  if (
    name === 'StateStoreError' &&
    STORE_FAILURE_REASONS.has(String((error as { reason?: unknown }).reason))
  ) {
    return EXIT.failed;
  }
  return USAGE_ERROR_NAMES.has(name) ? EXIT.usage : EXIT.failed;
}

/** One line for expected errors; the stack for bugs, so they can be reported. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `dag: ${String(error)}`;
  if (EXPECTED_ERROR_NAMES.has(error.name)) return `dag: ${error.message.split('\n')[0]}`;
  return `dag: unexpected error: ${error.stack ?? error.message}`;
}
