/**
 * Opens the embedded SQLite store: WAL, foreign keys, busy timeout, migrations applied.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Opens (creating when needed) the database at `path` (`:memory:` for tests) and migrates it. */
export function openDb(path: string, opts: { migrationsDir?: string } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  cacheStatements(sqlite);
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: opts.migrationsDir ?? migrationsFolder });
  return db;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 compiles SQL on every `prepare()`, and drizzle prepares every query it runs, so
 * compiling was the largest cost of a list request. Compiled statements are kept per SQL text
 * (values are bound parameters, so the texts are few), least recently used dropped first.
 */
function cacheStatements(sqlite: Database.Database, max = STATEMENT_CACHE_SIZE): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = function cachedPrepare(source: string) {
    const hit = cache.get(source);
    // A statement still being iterated cannot be shared; it gets a fresh one.
    if (hit && !hit.busy) {
      cache.delete(source);
      cache.set(source, hit);
      // drizzle switches statements to array rows (raw) for typed selects; every caller starts from objects.
      if (hit.reader) hit.raw(false);
      return hit;
    }
    const stmt = prepare(source);
    if (!hit) {
      cache.set(source, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
    }
    return stmt;
  } as typeof sqlite.prepare;
}

/** Checkpoints the WAL and closes the file. */
export function closeDb(db: Db): void {
  try { db.$client.pragma('wal_checkpoint(TRUNCATE)'); } catch { /* in-memory or already closed */ }
  if (db.$client.open) db.$client.close();
}

/**
 * Runs `fn` as one transaction (better-sqlite3's, nestable as savepoints). Synchronous on purpose:
 * an async callback would not roll back. Queries inside use the same `db` connection.
 */
export function atomic<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn)();
}
