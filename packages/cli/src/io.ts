/** What a command may touch of its process, passed in so commands are not tied to globals. */
export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
/**
 * Colours on a terminal; `NO_COLOR` (any value) turns them off, `FORCE_COLOR` (but `0` or `false`) turns
 * them on also in a pipe or a file. NO_COLOR wins when both are set.
 */
export function colorEnabled(io: Io, stream: NodeJS.WriteStream): boolean {
  if (io.env.NO_COLOR) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return stream.isTTY === true;
}

/** The columns of the terminal stdout is, or undefined for a pipe or a file (tables are not narrowed). */
export function terminalWidth(io: Io): number | undefined {
  return io.stdout.isTTY ? io.stdout.columns : undefined;
}
