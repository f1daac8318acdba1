import { describe, it, expect } from 'vitest';
import { TrustedProxies, isProxySpec } from '#lib/auth/client-address.ts';

describe('lib/auth/client-address', () => {
  it('trusts no proxy by default: X-Forwarded-For is ignored and the peer is the client', () => {
    const none = new TrustedProxies([]);
    expect(none.clientAddress('10.0.0.1', '203.0.113.9')).toBe('10.0.0.1');
  });

  it('takes the nearest address not itself a trusted proxy, from a trusted peer only', () => {
    const t = new TrustedProxies(['10.0.0.0/8', '192.0.2.1']);
    expect(t.clientAddress('10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
    // The client may send its own X-Forwarded-For: only the entries our proxies appended count.
    expect(t.clientAddress('10.1.2.3', '198.51.100.1, 203.0.113.9, 192.0.2.1')).toBe('203.0.113.9');
    expect(t.clientAddress('10.1.2.3', '203.0.113.9, 10.4.4.4')).toBe('203.0.113.9');
    expect(t.clientAddress('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7');
    expect(t.clientAddress('::ffff:10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
  });

  it('falls back to the last trusted hop for a missing, garbled or all-trusted header', () => {
    const t = new TrustedProxies(['10.0.0.0/8']);
    expect(t.clientAddress('10.1.2.3', undefined)).toBe('10.1.2.3');
    expect(t.clientAddress('10.1.2.3', 'not-an-ip, 10.9.9.9')).toBe('10.9.9.9');
    expect(t.clientAddress('10.1.2.3', '10.5.5.5')).toBe('10.5.5.5');
    expect(t.clientAddress(undefined, '203.0.113.9')).toBe('local');
  });

  it('handles IPv6 peers and ranges', () => {
    const t = new TrustedProxies(['fd00::/8']);
    expect(t.clientAddress('fd00::1', '2001:db8::5')).toBe('2001:db8::5');
  });

  it('accepts addresses and CIDR ranges as proxy entries, nothing else', () => {
    for (const ok of ['10.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1']) expect(isProxySpec(ok)).toBe(true);
    for (const bad of ['', 'router', '10.0.0.0/33', '10.0.0.1/', 'fd00::/129', '*']) expect(isProxySpec(bad)).toBe(false);
  });
});
