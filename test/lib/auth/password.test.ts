import { describe, it, expect } from 'vitest';
import { DUMMY_HASH, hashPassword, verifyPassword } from '#lib/auth/password.ts';

describe('lib/auth/password', () => {
  it('hashes with scrypt and a fresh salt, and verifies', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse', b)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('handles non-ASCII passwords', async () => {
    const h = await hashPassword('pässwörd-✓');
    expect(await verifyPassword('pässwörd-✓', h)).toBe(true);
    expect(await verifyPassword('passwort-✓', h)).toBe(false);
  });

  it('never matches the dummy hash', async () => {
    expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
    expect(await verifyPassword('anything', DUMMY_HASH)).toBe(false);
  });

  it.each(['', 'plain', 'bcrypt$10$x$y', 'scrypt$16384$8$1$$', 'scrypt$abc$8$1$AAAA$AAAA', 'scrypt$3$8$1$AAAA$AAAA'])(
    'answers false (never throws) for the malformed stored hash %j', async (stored) => {
      await expect(verifyPassword('pw', stored)).resolves.toBe(false);
    },
  );
});
