import { describe, it, expect, beforeEach } from 'vitest';
import { makeTestApp, json, type TestApp } from '#test/support/app.ts';

const VERSIONS = ['35.0', '36.0', '37.0', '38.0', '38.1', '39.0'];

describe('GET /api/versions', () => {
  let t: TestApp;
  beforeEach(async () => { t = await makeTestApp(); });

  it('answers VCD SupportedVersions XML by default, without authentication', async () => {
    const res = await t.request('GET', '/api/versions', { headers: { accept: '*/*' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<SupportedVersions xmlns="http:\/\/www\.vmware\.com\/vcloud\/versions">/);
    const infos = [...xml.matchAll(/<VersionInfo deprecated="false">([\s\S]*?)<\/VersionInfo>/g)].map((m) => m[1]!);
    expect(infos.map((i) => /<Version>(.*)<\/Version>/.exec(i)![1])).toEqual(VERSIONS);
    expect(infos[0]).toContain('<LoginUrl>http://localhost/cloudapi/1.0.0/sessions</LoginUrl>');
    expect(infos[0]).toContain('<ProviderLoginUrl>http://localhost/cloudapi/1.0.0/sessions/provider</ProviderLoginUrl>');
  });

  it('answers XML when no Accept header is sent', async () => {
    const res = await t.app.request('/api/versions');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<SupportedVersions');
  });

  it.each(['application/json', 'application/*+json;version=39.0', 'APPLICATION/JSON'])('answers JSON for Accept %s', async (accept) => {
    const res = await t.request('GET', '/api/versions', { headers: { accept } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.versionInfo).toHaveLength(VERSIONS.length);
    expect(body.versionInfo.map((v: any) => v.version)).toEqual(VERSIONS);
    expect(body.versionInfo[5]).toEqual({
      version: '39.0', loginUrl: 'http://localhost/cloudapi/1.0.0/sessions',
      providerLoginUrl: 'http://localhost/cloudapi/1.0.0/sessions/provider', deprecated: false,
    });
  });

  it('builds absolute URLs from X-Forwarded-Proto/Host', async () => {
    const headers = { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'vcd.example.com, proxy' };
    const body = await json(await t.request('GET', '/api/versions', { headers }));
    expect(body.versionInfo[0].loginUrl).toBe('https://vcd.example.com/cloudapi/1.0.0/sessions');
    const xml = await (await t.request('GET', '/api/versions', { headers: { ...headers, accept: 'application/*+xml' } })).text();
    expect(xml).toContain('<LoginUrl>https://vcd.example.com/cloudapi/1.0.0/sessions</LoginUrl>');
  });

  it('ignores a hostile forwarded host in XML (not a host[:port], so the Host is used)', async () => {
    const xml = await (await t.request('GET', '/api/versions', { headers: { accept: '*/*', 'x-forwarded-host': 'a<b>&c' } })).text();
    expect(xml).toContain('http://localhost/cloudapi');
    expect(xml).not.toContain('a<b>');
  });

  it('answers 406 for an unsupported version', async () => {
    const res = await t.request('GET', '/api/versions', { headers: { accept: 'application/json;version=5.1' } });
    expect(res.status).toBe(406);
    expect((await json(res)).minorErrorCode).toBe('NOT_ACCEPTABLE');
  });
});
