/**
 * RFC 4122 version-5 (SHA-1, name-based) UUIDs: stable ids derived from names.
 */
import { createHash } from 'node:crypto';

/** SSVirt's own namespace UUID for derived ids. */
export const SSVIRT_NAMESPACE = '5b0c3f4e-2d1a-4c8e-9f6b-7a3d2e1c0b9a';

/** The v5 UUID of `name` in `namespace`. */
export function uuid5(name: string, namespace = SSVIRT_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
