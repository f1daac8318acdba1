import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { json, makeTestApp } from '#test/support/app.ts';
import { toUrn } from '#lib/urn.ts';

const TOKEN = 'metrics-token-0123456789';
/** An app of a single-port install that serves /metrics on the API port behind a token. */
const tokenApp = () => makeTestApp({ env: { SSVIRT_METRICS_TOKEN: TOKEN } });
const scrape = (t: Awaited<ReturnType<typeof makeTestApp>>) => t.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });

describe('GET /metrics on the API port', () => {
  it('answers 404 saying where metrics are, by default (they have their own port)', async () => {
    const t = await makeTestApp();
    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(404);
    expect((await json(res)).message).toBe('Metrics are served on port 9464 (SSVIRT_METRICS_PORT), not on the API port');
    const off = await makeTestApp({ env: { SSVIRT_METRICS_PORT: '0' } });
    expect((await json(await off.request('GET', '/metrics'))).message).toMatch(/^Metrics are off/);
  });

  it('with SSVIRT_METRICS_TOKEN: 401 without the token, a session token or a wrong one', async () => {
    const t = await tokenApp();
    expect((await t.request('GET', '/metrics')).status).toBe(401);
    expect((await t.request('GET', '/metrics', { token: await t.adminToken() })).status).toBe(401);
    const wrong = await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
  });

  it('answers Prometheus text with process metrics to the metrics token', async () => {
    const t = await tokenApp();
    const res = await scrape(t);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE ssvirt_http_requests_total counter');
    expect(text).toContain('# TYPE ssvirt_http_request_duration_seconds histogram');
  });

  it('counts requests by route pattern, never by object id', async () => {
    const t = await tokenApp();
    const token = await t.adminToken();
    const id = randomUUID();
    await t.request('GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(toUrn('org', id))}`, { token });
    await t.request('GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(toUrn('org', randomUUID()))}`, { token });
    await t.request('GET', '/no/such/route');
    const text = await (await scrape(t)).text();
    expect(text).not.toContain(id);
    expect(text).toContain('ssvirt_http_requests_total{method="GET",route="/cloudapi/1.0.0/orgs/:orgId",status="403"} 2');
    expect(text).toContain('ssvirt_http_requests_total{method="POST",route="/cloudapi/1.0.0/sessions",status="200"} 1');
    expect(text).toContain('ssvirt_http_requests_total{method="GET",route="/*",status="404"} 1');
    expect(text).toMatch(/ssvirt_http_request_duration_seconds_count\{method="GET",route="\/cloudapi\/1\.0\.0\/orgs\/:orgId"\} 2/);
  });

  it('counts list pages answered from the page cache and built', async () => {
    const t = await tokenApp();
    const token = await t.adminToken();
    for (let i = 0; i < 3; i++) await t.request('GET', '/cloudapi/1.0.0/orgs', { token });
    const text = await (await scrape(t)).text();
    expect(text).toContain('ssvirt_list_cache_requests_total{result="hit"} 2');
    expect(text).toContain('ssvirt_list_cache_requests_total{result="miss"} 1');
  });

  it('keeps each app\'s counters apart', async () => {
    const a = await tokenApp();
    const b = await tokenApp();
    await a.request('GET', '/healthz');
    const text = await (await scrape(b)).text();
    expect(text).not.toContain('route="/healthz"');
  });
});
