import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { storageFailure } from '#db/storage-errors.ts';

describe('storageFailure', () => {
  it('names disk-full, I/O, read-only, lock and damage failures with SQLite\'s code', () => {
    const e = (code: string) => new Database.SqliteError('x', code);
    expect(storageFailure(e('SQLITE_FULL'))).toBe('the disk holding the database is full (SQLITE_FULL)');
    expect(storageFailure(e('SQLITE_IOERR_WRITE'))).toMatch(/I\/O error.*SQLITE_IOERR_WRITE/);
    expect(storageFailure(e('SQLITE_READONLY_DBMOVED'))).toMatch(/read-only/);
    expect(storageFailure(e('SQLITE_BUSY'))).toMatch(/locked/);
    expect(storageFailure(e('SQLITE_NOTADB'))).toMatch(/damaged/);
  });

  it('finds the driver\'s error under the wrappers that carry it as `cause` (drizzle\'s DrizzleError)', () => {
    const wrapped = new Error('Failed to run the query', { cause: new Database.SqliteError('attempt to write a readonly database', 'SQLITE_READONLY') });
    expect(storageFailure(wrapped)).toMatch(/read-only.*SQLITE_READONLY/);
    expect(storageFailure(new Error('outer', { cause: new Error('inner') }))).toBeUndefined();
  });

  it('leaves constraint and programming errors alone (they are not the disk\'s fault)', () => {
    expect(storageFailure(new Database.SqliteError('x', 'SQLITE_CONSTRAINT_UNIQUE'))).toBeUndefined();
    expect(storageFailure(new Database.SqliteError('x', 'SQLITE_ERROR'))).toBeUndefined();
    expect(storageFailure(new Database.SqliteError('x', 'SQLITE_FULLY'))).toBeUndefined();
    expect(storageFailure(new Error('boom'))).toBeUndefined();
    expect(storageFailure(undefined)).toBeUndefined();
  });

  it('recognises what a real read-only connection throws on a write', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x)');
    db.pragma('query_only = ON');
    let thrown: unknown;
    try { db.prepare('INSERT INTO t VALUES (1)').run(); } catch (e) { thrown = e; }
    expect(storageFailure(thrown)).toMatch(/read-only/);
  });
});
