/**
 * Classifies SQLite errors that callers turn into API answers.
 */

/** Whether an error is a UNIQUE constraint violation (a duplicate name). */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
