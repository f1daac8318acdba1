/**
 * The client address that login throttling counts. `X-Forwarded-For` is client input: it is read
 * only when the peer is a configured trusted proxy (SSVIRT_TRUSTED_PROXIES, default none), and then
 * only the entries our own proxies appended count: walking from the right, the first address that
 * is not a trusted proxy is the client. Without this, everyone behind the router shares one
 * address (one throttle), or anyone can pick their own by sending the header.
 */
import { BlockList, isIP } from 'node:net';

/** The address used when the request has no socket (in-process requests in tests). */
export const LOCAL_ADDRESS = 'local';

/** Whether `spec` is an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isProxySpec(spec: string): boolean {
  const [addr, bits, ...rest] = spec.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) as `10.0.0.1`. */
function normalize(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  return m ? m[1]! : addr;
}

export class TrustedProxies {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  /** `specs` are validated by the configuration (isProxySpec). */
  constructor(specs: readonly string[]) {
    for (const spec of specs) {
      const [addr, bits] = spec.split('/') as [string, string | undefined];
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
    this.empty = specs.length === 0;
  }

  /** Whether `addr` is one of the trusted proxies. */
  has(addr: string): boolean {
    const a = normalize(addr);
    const family = isIP(a);
    return !this.empty && family !== 0 && this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** The client's address, from the socket peer and, when the peer is trusted, X-Forwarded-For. */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string {
    if (!peer) return LOCAL_ADDRESS;
    let client = normalize(peer);
    if (!forwardedFor || !this.has(client)) return client;
    const hops = forwardedFor.split(',').map((h) => normalize(h.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // A garbled entry: the trusted hop that passed it on is the last address we can vouch for.
      if (!isIP(hop)) break;
      client = hop;
      if (!this.has(hop)) break;
    }
    return client;
  }
}
