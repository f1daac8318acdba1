import { describe, it, expect, beforeEach } from 'vitest';
import type { Db } from '#db/client.ts';
import { makeTestApp } from '#test/support/app.ts';
import { findUser, replacePasswordHash, updateUser } from '#db/queries/users.ts';
import { seedOrg, seedUser } from '#test/support/fixtures.ts';

describe('user row versions', () => {
  let db: Db;
  let id: string;
  beforeEach(async () => {
    db = (await makeTestApp()).db; // migrated and bootstrapped: the built-in roles exist
    id = (await seedUser(db, seedOrg(db, 'Acme').id, 'alice', 'vApp User')).id;
  });

  it('updateUser bumps the version on every write, the password generation only for a new hash', () => {
    expect(findUser(db, id)).toMatchObject({ version: 1, passwordGeneration: 0 });
    updateUser(db, id, { fullName: 'Alice B' });
    expect(findUser(db, id)).toMatchObject({ version: 2, passwordGeneration: 0 });
    updateUser(db, id, { passwordHash: 'scrypt$new' });
    expect(findUser(db, id)).toMatchObject({ version: 3, passwordGeneration: 1 });
  });

  it('replacePasswordHash (same password, new parameters) never undoes a reset that committed after the login read', () => {
    const generation = findUser(db, id)!.passwordGeneration;
    updateUser(db, id, { passwordHash: 'scrypt$reset' });
    expect(replacePasswordHash(db, id, generation, 'scrypt$rehashed-old')).toBe(false);
    expect(findUser(db, id)!.passwordHash).toBe('scrypt$reset');
  });

  it('replacePasswordHash moves neither the generation nor the version', () => {
    const before = findUser(db, id)!;
    expect(replacePasswordHash(db, id, before.passwordGeneration, 'scrypt$rehashed')).toBe(true);
    expect(findUser(db, id)).toMatchObject({ passwordHash: 'scrypt$rehashed', passwordGeneration: before.passwordGeneration, version: before.version });
  });
});
