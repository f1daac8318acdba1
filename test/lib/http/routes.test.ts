import { describe, it, expect } from 'vitest';
import { methodIndex, scanRoutes } from '#lib/http/routes.ts';

describe('lib/http/routes', () => {
  it('builds the route table from functions/ (snapshot: every route change shows in review)', () => {
    const table = scanRoutes().map((r) => `${r.method.padEnd(6)} ${r.path}`);
    expect(table).toMatchSnapshot();
  });

  it('has no two files for the same method and path', () => {
    const keys = scanRoutes().map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('orders static segments before parameters so /sessions/current wins over /sessions/:sessionId', () => {
    const paths = scanRoutes().map((r) => r.path);
    const current = paths.indexOf('/cloudapi/1.0.0/sessions/current');
    const param = paths.indexOf('/cloudapi/1.0.0/sessions/:sessionId');
    expect(current).toBeGreaterThanOrEqual(0);
    expect(param).toBeGreaterThan(current);
  });

  it('tells which methods a concrete path allows', () => {
    const allowed = methodIndex(scanRoutes());
    expect(allowed('/cloudapi/1.0.0/orgs').sort()).toEqual(['GET', 'POST']);
    expect(allowed('/cloudapi/1.0.0/orgs/urn:vcloud:org:x/').sort()).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
    expect(allowed('/nowhere')).toEqual([]);
  });
});
