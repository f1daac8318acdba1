/**
 * The version counter of an updatable row (its ETag, lib/http/etag.ts): the next value for an
 * UPDATE, worked out by SQLite from the row as it is at the write. It moves when a column in the
 * update gets a different value, and not for a write that changes nothing but the modification
 * time (an empty PATCH, a reconcile mark already set), so a no-op never fails another client's
 * If-Match.
 */
import { SQL, getTableColumns, sql, type Column, type Table } from 'drizzle-orm';

/** Columns whose change alone is not a new version. */
const NOT_VERSIONED = new Set(['updatedAt', 'version']);

/** `version + 1` when some column of `set` changes value, else `version` (null-safe: IS NOT). */
export function nextVersion(table: Table, set: Record<string, unknown>): SQL {
  const columns = getTableColumns(table) as Record<string, Column>;
  const version = columns.version!;
  const changed = Object.entries(set)
    .filter(([key, value]) => value !== undefined && !NOT_VERSIONED.has(key) && columns[key])
    .map(([key, value]) => sql`${columns[key]!} IS NOT ${value instanceof SQL ? value : sql.param(value, columns[key]!)}`);
  if (!changed.length) return sql`${version}`;
  return sql`${version} + (CASE WHEN ${sql.join(changed, sql` OR `)} THEN 1 ELSE 0 END)`;
}
