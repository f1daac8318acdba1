/**
 * SQLite errors that mean the storage under the database failed (disk full, I/O error, file made
 * read-only, locked by another process), as opposed to a bug or a constraint: the request was fine
 * and may succeed later, so it is answered 503, and readiness reports the write path broken.
 */

/** SQLite's primary result codes for storage failures (extended codes start with them). */
const STORAGE_CODES: ReadonlyArray<[prefix: string, reason: string]> = [
  ['SQLITE_FULL', 'the disk holding the database is full'],
  ['SQLITE_IOERR', 'the database file cannot be read or written (I/O error)'],
  ['SQLITE_READONLY', 'the database cannot be written (read-only)'],
  ['SQLITE_CANTOPEN', 'the database file cannot be opened'],
  ['SQLITE_BUSY', 'the database is locked by another process'],
  ['SQLITE_CORRUPT', 'the database file is damaged'],
  ['SQLITE_NOTADB', 'the database file is damaged'],
];

/**
 * Why `e` says the storage failed, with SQLite's code; undefined for any other error. drizzle
 * wraps the driver's error (DrizzleError with the SqliteError as `cause`), so causes are followed.
 */
export function storageFailure(e: unknown): string | undefined {
  for (let err = e, depth = 0; typeof err === 'object' && err !== null && depth < 5; err = (err as { cause?: unknown }).cause, depth++) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const hit = STORAGE_CODES.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
    if (hit) return `${hit[1]} (${code})`;
  }
  return undefined;
}
