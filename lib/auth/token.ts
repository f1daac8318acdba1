/**
 * Opaque session tokens: 32 random bytes (43 base64url characters), stored only as a SHA-256 hash.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new random token. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The token of a request, from any of the three headers clients use. */
export function tokenFromHeaders(get: (name: string) => string | undefined): string | undefined {
  const auth = get('authorization');
  if (auth) {
    const m = /^bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return get('x-vmware-vcloud-access-token')?.trim() || get('x-vcloud-authorization')?.trim() || undefined;
}
