/**
 * Reading the recorded exchanges (test/cluster/golden/recorded) and comparing a live answer with one: status
 * code, content type, Status fields, and the body's shape with uids, times, resourceVersions,
 * managedFields and generation counts ignored (uids and resourceVersions are compared through the
 * mapping learnt while replaying, so references between requests still have to line up).
 */
import { readFileSync } from 'node:fs';

export type Json = any;

export interface Recorded { body: string; status: number; contentType: string }

export function readRecorded(file: string): Recorded {
  const text = readFileSync(file, 'utf8');
  const idx = text.lastIndexOf('--- HTTP ');
  // set 1's 15-list-table.txt and 19-watch-stream.txt lack the trailer the other files have; both were 200 JSON.
  if (idx < 0) return { body: text.replace(/\n$/, ''), status: 200, contentType: 'application/json' };
  const m = /^--- HTTP (\d+) (.*)$/m.exec(text.slice(idx));
  if (idx < 0 || !m) throw new Error(`${file}: no '--- HTTP' trailer`);
  return { body: text.slice(0, idx).replace(/\n$/, ''), status: Number(m[1]), contentType: m[2]!.trim() };
}

export interface RequestRow { name: string; method: string; path: string; contentType?: string; body?: string }

/** requests.tsv: name, method, path, content-type, body; a body may run over several lines (YAML). */
export function readRequests(file: string, opts: { unescapeNewlines: boolean }): Map<string, RequestRow> {
  const rows = new Map<string, RequestRow>();
  let cur: RequestRow | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\d+[a-z]?-[A-Za-z0-9-]+)\t([A-Z]+)\t([^\t]*)\t([^\t]*)\t?(.*)$/.exec(line);
    if (m) {
      cur = { name: m[1]!, method: m[2]!, path: m[3]!, contentType: m[4] === '-' || m[4] === '' ? undefined : m[4], body: m[5] ?? '' };
      rows.set(cur.name, cur);
    } else if (line === '') {
      // A blank line ends a multi-line body. set2 keeps the body of an unrecorded request (10)
      // after 09's without a header line; it must not be glued onto 09.
      if (cur?.body) cur.body += '\n';
      cur = undefined;
    } else if (cur) {
      cur.body += `\n${line}`;
    }
  }
  for (const r of rows.values()) {
    if (opts.unescapeNewlines && r.body) r.body = r.body.replace(/\\n/g, '\n');
    if (r.body === '') r.body = undefined;
  }
  return rows;
}

export interface Mapping { uids: Map<string, string>; rvs: Map<number, number> }

export function mapRv(m: Mapping, g: number): number {
  const exact = m.rvs.get(g);
  if (exact !== undefined) return exact;
  let best: number | undefined;
  for (const k of m.rvs.keys()) if (k < g && (best === undefined || k > best)) best = k;
  return best === undefined ? g : m.rvs.get(best)! + (g - best);
}

/** Rewrites golden uids and resourceVersions in a request path or body into the live ones. */
export function rewrite(m: Mapping, s: string): string {
  for (const [g, a] of m.uids) s = s.split(g).join(a);
  s = s.replace(/([?&]resourceVersion=)(\d+)/g, (_x, p: string, n: string) => `${p}${mapRv(m, Number(n))}`);
  s = s.replace(/"resourceVersion":"(\d+)"/g, (_x, n: string) => `"resourceVersion":"${mapRv(m, Number(n))}"`);
  s = s.replace(/([?&]continue=)([A-Za-z0-9_-]+)/g, (_x, p: string, tok: string) => {
    const t = JSON.parse(Buffer.from(tok, 'base64url').toString('utf8'));
    t.rv = mapRv(m, t.rv);
    return `${p}${Buffer.from(JSON.stringify(t)).toString('base64url')}`;
  });
  return s;
}

const isObj = (v: unknown): v is Record<string, Json> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Learns uid and resourceVersion pairs from a recorded and a live answer of the same request. */
export function learn(m: Mapping, g: Json, a: Json): void {
  if (Array.isArray(g) && Array.isArray(a)) { g.forEach((x, i) => learn(m, x, a[i])); return; }
  if (!isObj(g) || !isObj(a)) return;
  if (isObj(g.metadata) && isObj(a.metadata)) {
    if (typeof g.metadata.uid === 'string' && typeof a.metadata.uid === 'string') m.uids.set(g.metadata.uid, a.metadata.uid);
    const grv = Number(g.metadata.resourceVersion), arv = Number(a.metadata.resourceVersion);
    if (grv > 0 && arv > 0 && !m.rvs.has(grv)) m.rvs.set(grv, arv);
  }
  if (isObj(g.details) && isObj(a.details) && typeof g.details.uid === 'string') m.uids.set(g.details.uid, a.details.uid);
  if (isObj(g.object) && isObj(a.object)) learn(m, g.object, a.object);
  if (Array.isArray(g.items) && Array.isArray(a.items)) learn(m, g.items, a.items);
}

/** Keys whose values differ between runs by nature: only their presence is compared. */
const PRESENCE_ONLY = new Set(['resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'time', 'generation',
  'serverAddress', 'gitVersion', 'gitCommit', 'buildDate', 'goVersion', 'storageVersionHash']);
const SKIP = new Set(['managedFields']);

export function normaliseMessage(s: string): string {
  return s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID').replace(/\d+/g, 'N');
}

/** Also compare the order of keys (set 3: client-node gets the server's own serialisation). */
export const options = { keyOrder: false };

export function compareShape(m: Mapping, g: Json, a: Json, path = '$', out: string[] = [], ctx: { generateName?: string } = {}): string[] {
  if (Array.isArray(g)) {
    if (!Array.isArray(a)) { out.push(`${path}: expected array, got ${JSON.stringify(a)?.slice(0, 80)}`); return out; }
    if (g.length !== a.length) out.push(`${path}: expected ${g.length} items, got ${a.length}`);
    g.forEach((x, i) => { if (i < a.length) compareShape(m, x, a[i], `${path}[${i}]`, out, ctx); });
    return out;
  }
  if (isObj(g)) {
    if (!isObj(a)) { out.push(`${path}: expected object, got ${JSON.stringify(a)?.slice(0, 80)}`); return out; }
    if (isObj(g.metadata) && isObj(a.metadata) && typeof g.metadata.generateName === 'string' && typeof a.metadata.name === 'string') {
      m.uids.set(g.metadata.name, a.metadata.name);
    }
    const sub = { generateName: isObj(g.metadata) && typeof g.metadata.generateName === 'string' ? g.metadata.generateName : path.endsWith('.metadata') ? ctx.generateName : undefined };
    const genName = typeof g.generateName === 'string' ? g.generateName : undefined;
    for (const k of Object.keys(g)) {
      if (SKIP.has(k)) continue;
      if (!(k in a)) { out.push(`${path}.${k}: missing`); continue; }
      if (PRESENCE_ONLY.has(k)) continue;
      if (k === 'name' && genName && typeof a[k] === 'string' && a[k].startsWith(genName)) continue;
      if (k === 'message' && typeof g[k] === 'string') {
        if (normaliseMessage(g[k]) !== normaliseMessage(String(a[k]))) out.push(`${path}.message: expected ${JSON.stringify(g[k])}, got ${JSON.stringify(a[k])}`);
        continue;
      }
      if (k === 'continue' && typeof g[k] === 'string') {
        const dec = (t: string) => (t ? JSON.parse(Buffer.from(t, 'base64url').toString('utf8')).start : '');
        const gs = dec(g[k]), as = dec(String(a[k]));
        if (!(gs === as || (sub.generateName === undefined && gs.replace(/-[a-z0-9]{5}\u0000$/, '') === as.replace(/-[a-z0-9]{5}\u0000$/, '')))) {
          out.push(`${path}.continue: expected start ${JSON.stringify(gs)}, got ${JSON.stringify(as)}`);
        }
        continue;
      }
      compareShape(m, g[k], a[k], `${path}.${k}`, out, sub);
    }
    for (const k of Object.keys(a)) if (!(k in g) && !SKIP.has(k)) out.push(`${path}.${k}: unexpected (${JSON.stringify(a[k])?.slice(0, 60)})`);
    if (options.keyOrder) {
      const gk = Object.keys(g).filter((k) => k in a), ak = Object.keys(a).filter((k) => k in g);
      if (gk.join() !== ak.join()) out.push(`${path}: key order ${ak.join(',')}, recorded ${gk.join(',')}`);
    }
    return out;
  }
  if (typeof g === 'string' && m.uids.has(g)) {
    if (a !== m.uids.get(g)) out.push(`${path}: expected mapped uid of ${g}, got ${JSON.stringify(a)}`);
    return out;
  }
  if (typeof g === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(g) && path.endsWith('.uid')) return out;
  // Table "Age" cells depend on how long the replay took.
  if (typeof g === 'string' && typeof a === 'string' && /^\d+[smhd]/.test(g) && /^\d+[smhd]/.test(a) && /\.cells\[1\]$/.test(path)) return out;
  if (g !== a) out.push(`${path}: expected ${JSON.stringify(g)}, got ${JSON.stringify(a)}`);
  return out;
}

export interface WatchLine { type: string; object: Json }

export function parseStream(body: string): WatchLine[] {
  return body.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Compares watch streams: the same events in order (BOOKMARKs only by presence and shape). */
export function compareStream(m: Mapping, g: WatchLine[], a: WatchLine[]): string[] {
  const out: string[] = [];
  const gEv = g.filter((e) => e.type !== 'BOOKMARK');
  const aEv = a.filter((e) => e.type !== 'BOOKMARK');
  const sig = (e: WatchLine) => `${e.type} ${e.object?.metadata?.name ?? normaliseMessage(String(e.object?.message ?? ''))}`;
  if (gEv.map(sig).join(', ') !== aEv.map(sig).join(', ')) {
    out.push(`events: expected [${gEv.map(sig).join(', ')}], got [${aEv.map(sig).join(', ')}]`);
    return out;
  }
  gEv.forEach((e, i) => compareShape(m, e, aEv[i], `$[${i}]`, out));
  const gB = g.filter((e) => e.type === 'BOOKMARK'), aB = a.filter((e) => e.type === 'BOOKMARK');
  if ((gB.length > 0) !== (aB.length > 0)) out.push(`bookmarks: expected ${gB.length ? 'some' : 'none'}, got ${aB.length}`);
  if (gB.length && aB.length) compareShape(m, gB[0], aB[0], '$bookmark', out);
  return out;
}
