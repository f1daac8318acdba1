import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp } from '#test/support/app.ts';
import { toUrn } from '#lib/urn.ts';

describe('GET /metrics', () => {
  it('answers Prometheus text with process metrics, without authentication', async () => {
    const t = await makeTestApp();
    const res = await t.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE ssvirt_http_requests_total counter');
    expect(text).toContain('# TYPE ssvirt_http_request_duration_seconds histogram');
  });

  it('counts requests by route pattern, never by object id', async () => {
    const t = await makeTestApp();
    const token = await t.adminToken();
    const id = randomUUID();
    await t.request('GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(toUrn('org', id))}`, { token });
    await t.request('GET', `/cloudapi/1.0.0/orgs/${encodeURIComponent(toUrn('org', randomUUID()))}`, { token });
    await t.request('GET', '/no/such/route');
    const text = await (await t.request('GET', '/metrics')).text();
    expect(text).not.toContain(id);
    expect(text).toContain('ssvirt_http_requests_total{method="GET",route="/cloudapi/1.0.0/orgs/:orgId",status="403"} 2');
    expect(text).toContain('ssvirt_http_requests_total{method="POST",route="/cloudapi/1.0.0/sessions",status="200"} 1');
    expect(text).toContain('ssvirt_http_requests_total{method="GET",route="/*",status="404"} 1');
    expect(text).toMatch(/ssvirt_http_request_duration_seconds_count\{method="GET",route="\/cloudapi\/1\.0\.0\/orgs\/:orgId"\} 2/);
  });

  it('counts list pages answered from the page cache and built', async () => {
    const t = await makeTestApp();
    const token = await t.adminToken();
    for (let i = 0; i < 3; i++) await t.request('GET', '/cloudapi/1.0.0/orgs', { token });
    const text = await (await t.request('GET', '/metrics')).text();
    expect(text).toContain('ssvirt_list_cache_requests_total{result="hit"} 2');
    expect(text).toContain('ssvirt_list_cache_requests_total{result="miss"} 1');
  });

  it('keeps each app\'s counters apart', async () => {
    const a = await makeTestApp();
    const b = await makeTestApp();
    await a.request('GET', '/healthz');
    const text = await (await b.request('GET', '/metrics')).text();
    expect(text).not.toContain('route="/healthz"');
  });
});
