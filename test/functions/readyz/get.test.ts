import { describe, it, expect } from 'vitest';
import { makeTestApp, json } from '#test/support/app.ts';
import type { Cluster, ClusterHealth } from '#lib/k8s/cluster.ts';

// Readiness reads only health(); a cluster with nothing else is enough here.
const cluster = (h: ClusterHealth | (() => never)): Cluster => ({ health: typeof h === "function" ? h : () => h }) as Partial<Cluster> as Cluster;

describe('GET /readyz', () => {
  it('reports degraded without a configured cluster, without authentication', async () => {
    const t = await makeTestApp();
    const res = await t.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'degraded', checks: { database: 'ok', kubernetes: 'not-configured', informers: 'synced' } });
  });

  it('reports ready when the cluster is reachable and informers are synced', async () => {
    const t = await makeTestApp({ k8s: cluster({ kubernetes: 'ok', informers: 'synced' }) });
    expect(await json(await t.request('GET', '/readyz'))).toEqual({ status: 'ready', checks: { database: 'ok', kubernetes: 'ok', informers: 'synced' } });
  });

  it('reports degraded with the reason when the cluster is unreachable', async () => {
    const t = await makeTestApp({ k8s: cluster({ kubernetes: 'unreachable: connect ECONNREFUSED', informers: 'syncing' }) });
    const res = await t.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'degraded', checks: { database: 'ok', kubernetes: 'unreachable: connect ECONNREFUSED', informers: 'syncing' } });
  });

  it('reports degraded while informers are still syncing', async () => {
    const t = await makeTestApp({ k8s: cluster({ kubernetes: 'ok', informers: 'syncing' }) });
    expect((await json(await t.request('GET', '/readyz'))).status).toBe('degraded');
  });

  it('still answers when the cluster health probe throws, without its text', async () => {
    const t = await makeTestApp({ k8s: cluster(() => { throw new Error('secret internal detail'); }) });
    const res = await t.request('GET', '/readyz');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('secret internal detail');
    expect(JSON.parse(text).checks.kubernetes).toMatch(/^unreachable: /);
  });

  it('answers 503 with the envelope when the database is unusable', async () => {
    const t = await makeTestApp();
    t.db.$client.close();
    const res = await t.request('GET', '/readyz');
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body).toMatchObject({ code: 503, minorErrorCode: 'INTERNAL_SERVER_ERROR', stackTrace: null, status: 'unavailable' });
    expect(body.checks.database).toBe('unusable');
  });

  it('ignores an invalid token', async () => {
    const t = await makeTestApp();
    expect((await t.request('GET', '/readyz', { token: 'x'.repeat(43) })).status).toBe(200);
  });
  it('fails (503 DATABASE_UNAVAILABLE) while the database cannot be written, and recovers with the next probe', async () => {
    const t = await makeTestApp();
    t.db.$client.pragma('query_only = ON'); // what a full or read-only disk does to every write
    // A write request is answered 503, not 500, and readiness fails at once.
    const login = await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: `Basic ${Buffer.from('admin@System:admin-password-1').toString('base64')}` } });
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toBe('10');
    expect(await json(login)).toMatchObject({ minorErrorCode: 'DATABASE_UNAVAILABLE', message: expect.stringContaining('read-only') });
    const res = await t.request('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ minorErrorCode: 'DATABASE_UNAVAILABLE', status: 'unavailable', checks: { database: 'not-writable', databaseProblem: expect.stringContaining('SQLITE_READONLY') } });
    // The outage is logged once, not as an unhandled error per request.
    expect(t.logs.filter((l) => l.msg === 'unhandled error')).toEqual([]);
    t.db.$client.pragma('query_only = OFF');
    expect((await t.request('GET', '/readyz')).status).toBe(503); // until a probe write succeeds
    expect(t.writeProbe.check()).toBe(true);
    expect((await json(await t.request('GET', '/readyz'))).checks.database).toBe('ok');
  });

  it('fails from the periodic probe alone, with no request having written', async () => {
    const t = await makeTestApp();
    t.db.$client.pragma('query_only = ON');
    expect(t.writeProbe.check()).toBe(false);
    expect((await t.request('GET', '/readyz')).status).toBe(503);
  });
});
