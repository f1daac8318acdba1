/**
 * Hand-written SELECTs for hot paths (lists served on every page view). drizzle builds the SQL
 * text of a query and maps each row through every column object on every call, which cost more
 * than SQLite itself; these helpers keep drizzle's schema as the one source of column names and
 * decoders but do that work once per table. Statements still go through the client's cache
 * (db/client.ts), keyed by SQL text.
 */
import { Column, getTableColumns, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect, type SQLiteTable } from 'drizzle-orm/sqlite-core';

const dialect = new SQLiteSyncDialect();
const identity = Column.prototype.mapFromDriverValue;

/** How to select a table's columns as positional values and turn them back into a typed row. */
export interface TableReader<Row> {
  /** `"table"."col", …` in the order `read` expects. */
  columns: string;
  /**
   * The same columns as arguments of SQLite's `json_array(…)`, JSON columns embedded as JSON;
   * undefined when a column cannot go through JSON unchanged (REAL, BLOB).
   */
  jsonColumns: string | undefined;
  /** Number of values one row takes. */
  width: number;
  /** Builds the row from `values[at … at + width)` of `columns`, decoding as drizzle would (booleans, JSON). */
  read(values: unknown[], at?: number): Row;
  /** Builds the row from `values[at … at + width)` of a parsed `json_array(jsonColumns)`. */
  readJson(values: unknown[], at?: number): Row;
}

/** A reader for every column of `table` (as `$inferSelect` has them). */
export function tableReader<T extends SQLiteTable>(table: T, tableName: string): TableReader<T['$inferSelect']> {
  const cols = Object.entries(getTableColumns(table)) as [string, Column][];
  const keys = cols.map(([k]) => k);
  const isJson = cols.map(([, col]) => col.columnType === 'SQLiteTextJson');
  // Columns with plain values (text, integer) skip the decoder call; only boolean/JSON/timestamp modes need one.
  const decoders = cols.map(([, col]) => (col.mapFromDriverValue === identity ? undefined : (v: unknown) => col.mapFromDriverValue(v)));
  // SQLite's JSON keeps text and integers exactly (as better-sqlite3 returns them) but prints REALs with 15 digits.
  const jsonSafe = cols.every(([, col]) => col.getSQLType() === 'text' || col.getSQLType() === 'integer');
  const build = (values: unknown[], at: number, json: boolean) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const v = values[at + i];
      const decode = json && isJson[i] ? undefined : decoders[i];
      // drizzle does not decode NULL either.
      row[keys[i]!] = v === null || decode === undefined ? v : decode(v);
    }
    return row as T['$inferSelect'];
  };
  return {
    columns: cols.map(([, col]) => `"${tableName}"."${col.name}"`).join(', '),
    jsonColumns: jsonSafe
      ? cols.map(([, col], i) => (isJson[i] ? `json("${tableName}"."${col.name}")` : `"${tableName}"."${col.name}"`)).join(', ')
      : undefined,
    width: cols.length,
    read: (values, at = 0) => build(values, at, false),
    readJson: (values, at = 0) => build(values, at, true),
  };
}

/** SQL text and parameters of a drizzle fragment (a WHERE condition, an ORDER BY list). */
export function fragment(sql: SQL): { text: string; params: unknown[] } {
  const q = dialect.sqlToQuery(sql);
  return { text: q.sql, params: q.params };
}
