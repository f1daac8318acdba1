import { describe, it, expect } from 'vitest';
import { validHost, validProto, publicOrigin } from '#lib/http/forwarded.ts';
import { makeTestApp, json } from '#test/support/app.ts';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] });

describe('validHost / validProto', () => {
  it.each(['example.com', 'example.com:8443', '10.0.0.1', '[::1]:443', 'a-b.c', 'EXAMPLE.com.'])('accepts %s', (h) => {
    expect(validHost(h)).toBe(h);
  });
  it.each(['', 'exa mple.com', 'a/b', 'evil.com/x?', 'host:99999', 'host:0', 'ho%st', '-a.com', 'a..b', 'user@host', '[zz]', 'x'.repeat(300)])('refuses %j', (h) => {
    expect(validHost(h)).toBeUndefined();
  });
  it('takes the first entry of a list', () => {
    expect(validHost('a.example, b.example')).toBe('a.example');
    expect(validProto('HTTPS, http')).toBe('https');
  });
  it.each(['ftp', 'javascript', 'http:', 'h ttp', ''])('refuses proto %j', (p) => {
    expect(validProto(p)).toBeUndefined();
  });
});

describe('publicOrigin', () => {
  it('uses well-formed forwarded headers', () => {
    expect(publicOrigin(headers({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'vcd.example:8443', host: 'inner' }), 'http://inner/x')).toBe('https://vcd.example:8443');
  });
  it('ignores malformed forwarded headers and falls back to Host', () => {
    expect(publicOrigin(headers({ 'x-forwarded-proto': 'ht tp', 'x-forwarded-host': 'a b/c', host: 'inner:8080' }), 'http://inner:8080/x')).toBe('http://inner:8080');
  });
  it('falls back to the request URL when Host is malformed too', () => {
    expect(publicOrigin(headers({ host: 'bad host' }), 'http://localhost/x')).toBe('http://localhost');
  });
});

describe('lists with malformed forwarded headers', () => {
  it.each<Record<string, string>>([
    { 'x-forwarded-host': 'bad host/[' },
    { 'x-forwarded-proto': 'not a scheme' },
    { 'x-forwarded-host': '[', 'x-forwarded-proto': '::' },
  ])('answer 200 with links on the Host (%j)', async (h) => {
    const t = await makeTestApp();
    const admin = await t.adminToken();
    const res = await t.request('GET', '/cloudapi/1.0.0/orgs', { token: admin, headers: h });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.resultTotal).toBeGreaterThanOrEqual(1);
    for (const link of res.headers.get('link')?.split(',') ?? []) expect(link).toMatch(/<http:\/\/localhost\//);
  });
});
