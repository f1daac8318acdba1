import { describe, it, expect } from 'vitest';
import { hashToken, newToken, tokenFromHeaders } from '#lib/auth/token.ts';

const from = (h: Record<string, string>) => tokenFromHeaders((n) => h[n]);

describe('lib/auth/token', () => {
  it('makes opaque url-safe tokens of at least 43 characters, never the same twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const t = newToken();
      expect(t).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(100);
  });

  it('hashes deterministically and not to the token itself', () => {
    const t = newToken();
    expect(hashToken(t)).toBe(hashToken(t));
    expect(hashToken(t)).not.toBe(t);
    expect(hashToken(t)).not.toContain(t);
    expect(hashToken(t)).not.toBe(hashToken(newToken()));
  });

  it.each([
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer abc' }, 'abc'],
    [{ authorization: 'BEARER   abc  ' }, 'abc'],
    [{ 'x-vmware-vcloud-access-token': ' abc ' }, 'abc'],
    [{ 'x-vcloud-authorization': 'abc' }, 'abc'],
    [{ authorization: 'Basic dXNlcjpwdw==', 'x-vcloud-authorization': 'abc' }, 'abc'],
    [{ authorization: 'Bearer abc', 'x-vmware-vcloud-access-token': 'other' }, 'abc'],
  ])('reads %j', (headers, token) => {
    expect(from(headers)).toBe(token);
  });

  it.each([[{}], [{ authorization: 'Basic dXNlcjpwdw==' }], [{ authorization: 'Bearer' }], [{ authorization: 'Bearer a b' }], [{ 'x-vcloud-authorization': '  ' }]])(
    'finds no token in %j', (headers) => expect(from(headers)).toBeUndefined(),
  );
});
