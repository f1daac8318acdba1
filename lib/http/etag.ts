/**
 * Entity tags and the If-Match precondition (RFC 9110 §8.8.3, §13.1.1) for the entities clients
 * update (users, orgs, VDCs, catalogs): optimistic concurrency like Kubernetes' resourceVersion.
 *
 * The tag is the row's version counter (db/schema.ts), which every write of the row bumps,
 * written as a strong tag, `"<version>"`: If-Match compares strongly, so a weak tag could never
 * match. It versions the stored entity, not the bytes of one rendering: what is computed at read
 * time (an org's counts, a VDC's `used`, the names of referenced entities) can change under the
 * same tag. Nothing here answers If-None-Match with 304, so no cache reuses a body on its
 * strength.
 */
import { ApiError, badRequest } from './errors.ts';
import type { Ctx } from './route.ts';

/** What a request's If-Match asks for. */
export type IfMatch =
  | { readonly kind: 'absent' }
  /** `*`: any current version (the entity exists; a missing one is already VCD's 403). */
  | { readonly kind: 'any' }
  | { readonly kind: 'tags'; readonly tags: readonly EntityTag[] };

interface EntityTag { readonly weak: boolean; readonly opaque: string }

export const NO_PRECONDITION: IfMatch = Object.freeze({ kind: 'absent' });
const ANY: IfMatch = Object.freeze({ kind: 'any' });

const HEADER = 'if-match';
const MALFORMED = `If-Match: must be * or a comma-separated list of entity tags such as "3" (the ETag of a GET)`;
// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text (so a tag may hold commas).
const TAG = /[ \t]*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"[ \t]*/y;
const SEPARATOR = /,[ \t,]*/y;
const LEADING_EMPTY = /[ \t,]*/y;

/** The ETag of version `version` of an entity. */
export function entityTag(version: number): string {
  return `"${version}"`;
}

/** The header naming version `version`, for the answer of a GET, PUT or PATCH. */
export function etagHeader(version: number): { ETag: string } {
  return { ETag: entityTag(version) };
}

/** Parses an If-Match value; 400 BAD_REQUEST when it is neither `*` nor a list of entity tags. */
export function parseIfMatch(value: string | undefined): IfMatch {
  if (value === undefined) return NO_PRECONDITION;
  if (value.trim() === '*') return ANY;
  const tags: EntityTag[] = [];
  LEADING_EMPTY.lastIndex = 0;
  LEADING_EMPTY.exec(value);
  let pos = LEADING_EMPTY.lastIndex;
  while (pos < value.length) {
    TAG.lastIndex = pos;
    const m = TAG.exec(value);
    if (!m) throw badRequest(MALFORMED);
    tags.push({ weak: m[1] !== undefined, opaque: m[2]! });
    pos = TAG.lastIndex;
    if (pos === value.length) break;
    SEPARATOR.lastIndex = pos;
    if (!SEPARATOR.exec(value)) throw badRequest(MALFORMED);
    pos = SEPARATOR.lastIndex;
  }
  if (!tags.length) throw badRequest(MALFORMED);
  return { kind: 'tags', tags };
}

/** The If-Match of a request. */
export function ifMatchOf(c: Ctx): IfMatch {
  return parseIfMatch(c.req.header(HEADER));
}

/** Whether version `version` satisfies the precondition (strong comparison: weak tags never match). */
export function matches(cond: IfMatch, version: number): boolean {
  if (cond.kind !== 'tags') return true;
  const current = String(version);
  return cond.tags.some((t) => !t.weak && t.opaque === current);
}

/**
 * 412 PRECONDITION_FAILED unless version `version` of `what` (e.g. "User urn:vcloud:user:…")
 * satisfies the precondition. Call it where the version is read in the same transaction (or
 * synchronous stretch) as the write, so no other write slips between the check and the write.
 */
export function requireMatch(cond: IfMatch, version: number, what: string): void {
  if (matches(cond, version)) return;
  throw preconditionFailed(`${what} has changed since the version named in If-Match (it is now at ${entityTag(version)}); read it again, reapply the change and send the new ETag`);
}

/** The envelope's 412. */
export function preconditionFailed(message: string): ApiError {
  return new ApiError(412, 'PRECONDITION_FAILED', message);
}
