import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { makeTestApp, json } from '#test/support/app.ts';

const pkg = JSON.parse(readFileSync(new URL('../../../../../package.json', import.meta.url), 'utf8'));

describe('GET /api/v1/version', () => {
  it('answers the package version and API versions without authentication', async () => {
    const t = await makeTestApp();
    const res = await t.request('GET', '/api/v1/version');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ version: pkg.version, apiVersions: ['35.0', '36.0', '37.0', '38.0', '38.1', '39.0'] });
  });

  it('includes the commit when SSVIRT_COMMIT is set', async () => {
    const t = await makeTestApp({ env: { SSVIRT_COMMIT: ' 4a2142c ' } });
    expect((await json(await t.request('GET', '/api/v1/version'))).commit).toBe('4a2142c');
  });

  it('answers 405 with Allow for POST', async () => {
    const t = await makeTestApp();
    const res = await t.request('POST', '/api/v1/version', { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
