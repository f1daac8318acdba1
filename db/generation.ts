/**
 * The database generation: a token that changes whenever any row may have changed. It pairs
 * SQLite's `total_changes()` (rows this connection inserted, updated or deleted) with
 * `data_version` (moves when another connection, e.g. the admin command, commits), so a cache
 * keyed on it can never serve data older than the last write. One prepared statement, about a
 * microsecond and a half.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './client.ts';

const statements = new WeakMap<Db, Statement>();

/** The current generation of `db` (equal strings ⇒ no row changed in between). */
export function dbGeneration(db: Db): string {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.$client.prepare('SELECT total_changes(), data_version FROM pragma_data_version');
    statements.set(db, stmt);
  }
  // raw() each time: the statement cache (db/client.ts) resets the mode of a text it hands out again.
  const [changes, version] = stmt.raw(true).get() as [number, number];
  return `${changes}.${version}`;
}

/**
 * The newest generation a cache has seen. Caches keyed on the generation drop everything when
 * it moves and refuse values read at an older one; this holds that rule in one place.
 */
export class GenerationGate {
  private current = '';

  /** Moves to `generation`; true when it differs from the last one (the cache must start over). */
  advance(generation: string): boolean {
    if (generation === this.current) return false;
    this.current = generation;
    return true;
  }

  /** Whether `generation` is the newest seen (a value read at it may be kept). */
  holds(generation: string): boolean {
    return generation === this.current;
  }
}
