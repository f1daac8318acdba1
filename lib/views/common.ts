/**
 * Small pieces shared by the JSON views: references, timestamps, base URLs.
 */
import { publicOrigin } from '#lib/http/forwarded.ts';
import type { Context } from 'hono';
import { toUrn, type UrnType } from '#lib/urn.ts';

export interface Ref { name: string; id: string }

/** `{ name, id }` with the id as a URN. */
export function ref(type: UrnType, id: string, name: string): Ref {
  return { name, id: toUrn(type, id) };
}

const ISO_MEMO_SIZE = 4096;
const isoMemo = new Map<number, string>();

/**
 * ISO 8601 UTC with milliseconds. Lists format the same few timestamps on every request (two per
 * row) and `toISOString` was a tenth of a VDC page's rendering, so recent results are kept.
 */
export function iso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  let s = isoMemo.get(ms);
  if (s === undefined) {
    s = new Date(ms).toISOString();
    // Cleared rather than evicted one by one: a full memo means the working set is larger anyway.
    if (isoMemo.size >= ISO_MEMO_SIZE) isoMemo.clear();
    isoMemo.set(ms, s);
  }
  return s;
}

/** The public base URL, honouring X-Forwarded-Proto/Host from a proxy when they are well-formed. */
export function baseUrl(c: Context): string {
  return publicOrigin({ get: (n) => c.req.header(n) }, c.req.url);
}
