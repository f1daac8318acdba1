/**
 * The browsable API page: one self-contained HTML file (inline style and script, no CDN, no
 * network beyond fetching `openapi.json` from the same server) that lists the operations of the
 * OpenAPI document by tag, with their parameters and body schemas. The Content-Security-Policy
 * allows exactly the inline script and style by hash, and nothing else.
 */
import { createHash } from 'node:crypto';

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #1d2430; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 4px 0; max-width: 70em; color: #cfd6e0; }
header code { color: #fff; }
main { padding: 16px 24px; max-width: 80em; }
input { width: 100%; max-width: 30em; padding: 6px 8px; font: inherit; margin-bottom: 12px; }
h2 { font-size: 16px; margin: 20px 0 8px; text-transform: capitalize; }
details { background: #fff; border: 1px solid #dde1e7; border-radius: 4px; margin: 4px 0; }
summary { cursor: pointer; padding: 6px 10px; display: flex; gap: 10px; align-items: baseline; }
.m { font: bold 12px monospace; width: 4.5em; text-align: center; border-radius: 3px; padding: 2px 0; color: #fff; }
.get { background: #2f6fb3; } .post { background: #2e8b57; } .put { background: #b07a12; } .patch { background: #7a5bb5; } .delete { background: #b3392f; }
.p { font-family: monospace; } .s { color: #555; } .lock { margin-left: auto; color: #888; font-size: 12px; }
.body { padding: 4px 14px 12px; border-top: 1px solid #eef0f3; }
table { border-collapse: collapse; margin: 6px 0; } td, th { text-align: left; padding: 2px 10px 2px 0; vertical-align: top; }
pre { background: #f3f5f8; padding: 8px; overflow: auto; max-height: 30em; margin: 6px 0; }
`;

const SCRIPT = `
const el = (tag, props, ...kids) => { const e = document.createElement(tag); Object.assign(e, props); e.append(...kids); return e; };
async function main() {
  const res = await fetch('openapi.json', { headers: { accept: 'application/json' } });
  const doc = await res.json();
  document.title = doc.info.title + ' ' + doc.info.version;
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  document.getElementById('desc').textContent = doc.info.description;
  const ops = [];
  for (const [path, methods] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(methods)) ops.push({ path, method, op });
  const list = document.getElementById('ops');
  const render = (q) => {
    list.replaceChildren();
    const tags = [...new Set(ops.map((o) => o.op.tags[0]))].sort();
    for (const tag of tags) {
      const mine = ops.filter((o) => o.op.tags[0] === tag && (!q || (o.method + ' ' + o.path + ' ' + o.op.summary).toLowerCase().includes(q)));
      if (!mine.length) continue;
      list.append(el('h2', { textContent: tag }));
      for (const { path, method, op } of mine) {
        const body = el('div', { className: 'body' });
        const auth = op.security.length ? Object.keys(op.security[0]).join(', ') : 'none';
        body.append(el('p', { textContent: 'Authentication: ' + auth + ' · operationId: ' + op.operationId }));
        if (op.parameters && op.parameters.length) {
          const t = el('table', {}, el('tr', {}, el('th', { textContent: 'parameter' }), el('th', { textContent: 'in' }), el('th', { textContent: 'schema' })));
          for (const p of op.parameters) t.append(el('tr', {}, el('td', { className: 'p', textContent: p.name + (p.required ? ' *' : '') }), el('td', { textContent: p.in }), el('td', { className: 'p', textContent: JSON.stringify(p.schema) })));
          body.append(t);
        }
        if (op.requestBody) {
          body.append(el('p', { textContent: 'Request body (application/json)' + (op.requestBody.required ? ', required' : '') + ':' }));
          body.append(el('pre', { textContent: JSON.stringify(op.requestBody.content['application/json'].schema, null, 2) }));
        }
        list.append(el('details', {}, el('summary', {},
          el('span', { className: 'm ' + method, textContent: method.toUpperCase() }),
          el('span', { className: 'p', textContent: path }),
          el('span', { className: 's', textContent: op.summary }),
          el('span', { className: 'lock', textContent: op.security.length ? '🔒' : '' })), body));
      }
    }
  };
  document.getElementById('q').addEventListener('input', (e) => render(e.target.value.trim().toLowerCase()));
  render('');
}
main().catch((e) => { document.getElementById('ops').textContent = 'Could not load openapi.json: ' + e; });
`;

const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

export const DOCS_CSP = [
  "default-src 'none'",
  "connect-src 'self'",
  `script-src ${sha(SCRIPT)}`,
  `style-src ${sha(STYLE)}`,
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SSVirt API</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1 id="title">SSVirt API</h1><p id="desc"></p><p>Machine-readable: <a href="openapi.json" style="color:#9cc4ff">openapi.json</a> (OpenAPI 3.1)</p></header>
<main>
<input id="q" type="search" placeholder="Filter: method, path or summary" aria-label="Filter operations">
<div id="ops">Loading…</div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
