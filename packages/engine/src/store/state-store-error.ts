/**
 * Why the state database cannot be used. Opening fails with the first seven (nothing was changed); the last
 * two happen to a database that was open, in the middle of work.
 */
export type StateStoreErrorReason =
  /** SQLite: the file is not a StreamPro database. */
  | 'corrupt'
  /** SQLite: another process holds the write lock for longer than the busy timeout. */
  | 'locked'
  /** The database was migrated by a newer StreamPro. */
  | 'newer_schema'
  | 'disk_full'
  | 'io'
  /** PostgreSQL: the URL cannot be parsed, or names an unsupported scheme or an invalid schema name. */
  | 'bad_url'
  /** PostgreSQL: no server answers at the URL's host and port (refused, unknown host, connect timeout). */
  | 'unreachable'
  /** PostgreSQL: the server refused the login (password, unknown role) or a privilege the store needs. */
  | 'auth'
  /** PostgreSQL: the URL's database does not exist on the server. */
  | 'no_database'
  /** PostgreSQL: a statement took longer than `statement_timeout` (a lock held elsewhere, an overloaded server). */
  | 'timeout'
  /** PostgreSQL: the connection broke (server restarted or stopped, backend terminated, network). */
  | 'connection_lost';

/** The state database cannot be used: corrupt, locked, unreachable, from a newer version, or the disk is full. */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  constructor(
    message: string,
    readonly reason: StateStoreErrorReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static from(file: string, error: unknown): StateStoreError {
    const code = String((error as { code?: unknown }).code ?? '');
    const detail = error instanceof Error ? error.message : String(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new StateStoreError(
        `state database ${file} is locked by another process (${detail}); retry when it finishes`,
        'locked',
        { cause: error },
      );
    }
    // SHMSIZE: SQLite could not grow the WAL index file, which on Linux means no free space left.
    if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE') {
      return new StateStoreError(
        `state database ${file}: the disk is full (${detail}); free space and retry`,
        'disk_full',
        {
          cause: error,
        },
      );
    }
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      return new StateStoreError(
        `state database ${file} is corrupt or not a StreamPro database (${detail}); move it aside to start fresh`,
        'corrupt',
        { cause: error },
      );
    }
    if (code.startsWith('SQLITE_IOERR')) {
      // SQLite says only "disk I/O error"; the extended code and a hint tell the user where to look.
      return new StateStoreError(
        `state database ${file} cannot be used: ${detail} (${code}); check that its disk has free space and is writable`,
        'io',
        { cause: error },
      );
    }
    return new StateStoreError(`state database ${file} cannot be used: ${detail}`, 'io', { cause: error });
  }
}
