import { describe, it, expect } from 'vitest';
import { makeTestApp, json } from '#test/support/app.ts';

describe('GET /healthz', () => {
  it('answers ok without authentication', async () => {
    const t = await makeTestApp();
    const res = await t.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
  });

  it('answers 503 with the envelope when the database is unusable', async () => {
    const t = await makeTestApp();
    t.db.$client.close();
    const res = await t.request('GET', '/healthz');
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ code: 503, minorErrorCode: 'INTERNAL_SERVER_ERROR', stackTrace: null, status: 'error' });
  });
});
