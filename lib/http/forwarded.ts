/**
 * The public origin of a request, from X-Forwarded-Proto/Host when a proxy sent them. These headers
 * are client input: a value that is not a plain scheme or `host[:port]` is ignored (the Host header,
 * then the request URL, are used instead), so no href, Location or Link is built from unchecked text.
 */

// A DNS name (labels of letters, digits and inner hyphens) or a bracketed IPv6 literal, then an
// optional port. IPv4 addresses match the DNS form.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_RE = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*\\.?|\\[[0-9A-Fa-f:.]{2,45}\\])(?::(\\d{1,5}))?$`);

/** `host[:port]` when the value is one (first entry of a comma list), else undefined. */
export function validHost(raw: string | undefined): string | undefined {
  const v = raw?.split(',')[0]?.trim();
  if (!v || v.length > 261) return undefined;
  const m = HOST_RE.exec(v);
  if (!m) return undefined;
  if (m[1] !== undefined && (Number(m[1]) < 1 || Number(m[1]) > 65535)) return undefined;
  return v;
}

/** `http` or `https` when the value is one of them (first entry of a comma list), else undefined. */
export function validProto(raw: string | undefined): 'http' | 'https' | undefined {
  const v = raw?.split(',')[0]?.trim().toLowerCase();
  return v === 'http' || v === 'https' ? v : undefined;
}

/** `proto://host` for building absolute links. */
export function publicOrigin(headers: { get(name: string): string | undefined }, requestUrl: string): string {
  const url = new URL(requestUrl);
  const proto = validProto(headers.get('x-forwarded-proto')) ?? url.protocol.replace(':', '');
  const host = validHost(headers.get('x-forwarded-host')) ?? validHost(headers.get('host')) ?? url.host;
  return `${proto}://${host}`;
}
