/** The state database cannot be used: corrupt, locked, from a newer version, or the disk is full. */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  constructor(
    message: string,
    readonly reason: 'corrupt' | 'locked' | 'newer_schema' | 'disk_full' | 'io',
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
