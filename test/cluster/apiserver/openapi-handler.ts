/**
 * HTTP answers for `/openapi/v2`, `/openapi/v3` and `/openapi/v3/<group-version>`, with kube-openapi's
 * negotiation and caching: v2 as JSON or protobuf by `Accept` (406 otherwise); v3 documents as JSON;
 * an `ETag` (upper-case hex SHA-512 of the JSON) and `304` on a matching `If-None-Match`; for a v3
 * document requested with `?hash=` the current hash answers `Cache-Control: public, immutable` with an
 * `Expires` a year ahead (kubectl's disk cache keeps it by that URL), and a stale hash a `301` to the
 * current URL, so a client holding an index from before a CRD changed still ends at the new document.
 */
import type { OpenApiDocuments, Served } from './openapi.ts';

export interface OpenApiAnswer {
  code: number;
  headers: Record<string, string>;
  body: string | Buffer;
  type: string;
}

const V2_PROTO = ['com.github.proto-openapi.spec.v2@v1.0+protobuf', 'com.github.proto-openapi.spec.v2.v1.0+protobuf'];

/** Media ranges of an Accept header, best first (q-values honoured, ties keep their order). */
function acceptList(accept: string | undefined): { type: string; sub: string }[] {
  const clauses = (accept?.trim() ? accept : '*/*').split(',').map((c, i) => {
    const [range, ...params] = c.trim().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    const [type = '', sub = ''] = (range ?? '').split('/');
    return { type, sub, q: q ? Number(q.slice(2)) : 1, i };
  });
  return clauses.filter((c) => c.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
}

function matches(c: { type: string; sub: string }, sub: string): boolean {
  return (c.type === 'application' || c.type === '*') && (c.sub === sub || c.sub === '*');
}

function serve(doc: Served, type: string, ifNoneMatch: string | undefined, extra: Record<string, string> = {}): OpenApiAnswer {
  const etag = JSON.stringify(doc.etag);
  const headers: Record<string, string> = { Vary: 'Accept', Etag: etag, ...extra };
  if (ifNoneMatch && ifNoneMatch.split(',').map((s) => s.trim()).some((t) => t === etag || t === '*')) {
    return { code: 304, headers, body: '', type };
  }
  return { code: 200, headers, body: doc.body, type };
}

/**
 * The answer for an `/openapi/…` path, or undefined when the path is not one (a 404 for the caller).
 * `now` dates the `Expires` header.
 */
export function answerOpenApi(
  docs: OpenApiDocuments,
  pathname: string,
  query: URLSearchParams,
  request: { accept?: string; ifNoneMatch?: string },
  now: Date,
): OpenApiAnswer | undefined {
  const clauses = acceptList(request.accept);
  const notAcceptable: OpenApiAnswer = { code: 406, headers: { Vary: 'Accept' }, body: '', type: 'text/plain; charset=utf-8' };
  if (pathname === '/openapi/v2') {
    for (const c of clauses) {
      if (matches(c, 'json')) return serve(docs.v2Json(), 'application/json', request.ifNoneMatch);
      if (V2_PROTO.some((p) => matches(c, p))) {
        return serve(docs.v2Proto(), `application/${V2_PROTO[1]}`, request.ifNoneMatch);
      }
    }
    return notAcceptable;
  }
  if (pathname === '/openapi/v3' || pathname === '/openapi/v3/') {
    return serve(docs.v3Index(), 'application/json', request.ifNoneMatch);
  }
  if (!pathname.startsWith('/openapi/v3/')) return undefined;
  const gv = pathname.slice('/openapi/v3/'.length).replace(/\/$/, '');
  const doc = docs.v3(gv);
  if (!doc) return undefined;
  // Only JSON: kubectl asks for it, and the protobuf form would need gnostic's v3 messages too.
  if (!clauses.some((c) => matches(c, 'json'))) return notAcceptable;
  const hash = query.get('hash');
  if (hash) {
    if (hash !== doc.etag) {
      const location = `/openapi/v3/${gv}?hash=${doc.etag}`;
      return { code: 301, headers: { Vary: 'Accept', Location: location }, body: `<a href="${location}">Moved Permanently</a>.\n\n`, type: 'text/html; charset=utf-8' };
    }
    const expires = new Date(now.getTime());
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    return serve(doc, 'application/json', request.ifNoneMatch, { 'Cache-Control': 'public, immutable', Expires: expires.toUTCString().replace(/GMT$/, 'UTC') });
  }
  return serve(doc, 'application/json', request.ifNoneMatch);
}
