import { describe, it, expect } from 'vitest';
import { DUMMY_HASH, SCRYPT_DEFAULT, dummyHash, hashPassword, needsRehash, readScryptParams, verifyPassword, type ScryptParams } from '#lib/auth/password.ts';

// Unit tests hash with a small N: the production cost (2^17, ~0.4 s a hash) is checked once below.
const FAST: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

describe('lib/auth/password', () => {
  it('defaults to scrypt N=2^17, r=8, p=1 (current guidance) and writes the parameters into the hash', async () => {
    expect(SCRYPT_DEFAULT).toEqual({ N: 131072, r: 8, p: 1 });
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(DUMMY_HASH.startsWith('scrypt$131072$8$1$')).toBe(true);
  });

  it('hashes with the given parameters and a fresh salt, and verifies', async () => {
    const a = await hashPassword('correct horse', FAST);
    const b = await hashPassword('correct horse', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse', b)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies a hash of the former format (N=2^14) with the parameters written in it', async () => {
    // Made by the code before the move to 2^17: `scrypt$N$r$p$salt$hash`, password "old-password-1".
    const old = await hashPassword('old-password-1', { N: 16384, r: 8, p: 1 });
    expect(old.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('old-password-1', old)).toBe(true);
    expect(await verifyPassword('old-password-2', old)).toBe(false);
  });

  it('asks for a rehash of a hash weaker than the policy, not of one as strong or stronger', async () => {
    const old = await hashPassword('pw', { N: 16384, r: 8, p: 1 });
    expect(needsRehash(old, SCRYPT_DEFAULT)).toBe(true);
    expect(needsRehash(old, { N: 16384, r: 8, p: 1 })).toBe(false);
    expect(needsRehash(old, FAST)).toBe(false);
    expect(needsRehash(old, { N: 16384, r: 16, p: 1 })).toBe(true);
    expect(readScryptParams(old)).toEqual({ N: 16384, r: 8, p: 1 });
    expect(readScryptParams('bcrypt$10$x$y')).toBeUndefined();
  });

  it('handles non-ASCII passwords', async () => {
    const h = await hashPassword('pässwörd-✓', FAST);
    expect(await verifyPassword('pässwörd-✓', h)).toBe(true);
    expect(await verifyPassword('passwort-✓', h)).toBe(false);
  });

  it('never matches the dummy hash', async () => {
    expect(await verifyPassword('', dummyHash(FAST))).toBe(false);
    expect(await verifyPassword('anything', dummyHash(FAST))).toBe(false);
    expect(dummyHash(FAST).startsWith('scrypt$1024$8$1$')).toBe(true);
  });

  it.each(['', 'plain', 'bcrypt$10$x$y', 'scrypt$16384$8$1$$', 'scrypt$abc$8$1$AAAA$AAAA', 'scrypt$3$8$1$AAAA$AAAA',
    // Parameters no hash of ours has: refused before scrypt would spend gigabytes on them.
    `scrypt$${2 ** 30}$8$1$AAAA$AAAA`, 'scrypt$1024$4096$1$AAAA$AAAA', 'scrypt$1024$8$1000$AAAA$AAAA'])(
    'answers false (never throws) for the malformed stored hash %j', async (stored) => {
      await expect(verifyPassword('pw', stored)).resolves.toBe(false);
    },
  );
});
