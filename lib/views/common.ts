/**
 * Small pieces shared by the JSON views: references, timestamps, base URLs.
 */
import type { Context } from 'hono';
import { toUrn, type UrnType } from '#lib/urn.ts';

export interface Ref { name: string; id: string }

/** `{ name, id }` with the id as a URN. */
export function ref(type: UrnType, id: string, name: string): Ref {
  return { name, id: toUrn(type, id) };
}

/** ISO 8601 UTC with milliseconds. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** The public base URL, honouring X-Forwarded-Proto/Host from a proxy. */
export function baseUrl(c: Context): string {
  const url = new URL(c.req.url);
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.replace(':', '');
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim() || c.req.header('host') || url.host;
  return `${proto}://${host}`;
}
