import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { makeTestApp } from '#test/support/app.ts';

const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

describe('GET /cloudapi/docs', () => {
  it('serves a self-contained HTML page without authentication', async () => {
    const t = await makeTestApp();
    const res = await t.request('GET', '/cloudapi/docs', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    // It loads the description from this server, relative to itself, and nothing from elsewhere.
    expect(html).toContain("fetch('openapi.json'");
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('allows exactly its inline script and style (by hash) and nothing else', async () => {
    const t = await makeTestApp();
    const res = await t.request('GET', '/cloudapi/docs');
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(html.match(/<script/g)).toHaveLength(1);
    // The script at least parses (a syntax error would leave the page at "Loading…").
    expect(() => new Function(script)).not.toThrow();
  });

  it('answers 405 with Allow for another method', async () => {
    const t = await makeTestApp();
    const res = await t.request('DELETE', '/cloudapi/docs');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});
