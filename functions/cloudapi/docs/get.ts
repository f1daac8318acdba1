/**
 * GET /cloudapi/docs — the browsable API page: self-contained HTML (no CDN) that renders
 * `/cloudapi/openapi.json`, under a Content-Security-Policy allowing only its own script and style.
 * 200 text/html. No authentication.
 */
import { defineRoute } from '#lib/http/route.ts';
import { DOCS_CSP, DOCS_HTML } from '#lib/openapi-page.ts';

export default defineRoute({ summary: 'Browsable API documentation (HTML)', auth: false }, function getDocs(c) {
  return c.html(DOCS_HTML, 200, { 'Content-Security-Policy': DOCS_CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' });
});
