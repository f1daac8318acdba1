/**
 * Watch streams. Semantics follow the recorded server: HTTP 200 and one JSON event per line; no
 * resourceVersion (or "0") starts with synthetic ADDED events of the current state and gets no
 * bookmarks; a resourceVersion older than the resource's event window yields a single ERROR event
 * carrying a 410 Expired Status and the stream ends (never an HTTP 410); a future resourceVersion
 * just waits. Bookmarks carry the resource-wide newest resourceVersion and are only sent when it is
 * newer than where the watch started, periodically and once shortly before `timeoutSeconds`.
 */
import type { ServerResponse } from 'node:http';
import type { ResourceDef } from './resources.ts';
import { apiVersionOf } from './resources.ts';
import { matchFields, matchLabels, type FieldSelector, type LabelSelector } from './selectors.ts';
import { toJson, type Store, type StoreEvent } from './store.ts';
import type { Obj } from './serialize.ts';

export interface WatchParams {
  def: ResourceDef;
  namespace?: string;
  labels?: LabelSelector;
  fields?: FieldSelector;
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
}

export interface WatchHooks {
  /** Called with a function that ends the stream, so the server can close every watch on stop/outage. */
  register(close: () => void): () => void;
}

function line(type: string, objJson: string): string {
  return `{"type":"${type}","object":${objJson}}\n`;
}

export function tooOldEvent(rv: string | number, floor: number): string {
  return line('ERROR', JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rv} (${floor})`, reason: 'Expired', code: 410 }));
}

export function startWatchHeaders(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
}

export function serveWatch(store: Store, p: WatchParams, res: ServerResponse, headers: Record<string, string>, hooks: WatchHooks): void {
  const table = store.table(p.def);
  const matches = (o: Obj | undefined): boolean =>
    !!o && (p.namespace === undefined || o.metadata?.namespace === p.namespace) &&
    matchLabels(p.labels, o.metadata?.labels) && matchFields(p.fields, o);

  startWatchHeaders(res, headers);
  const rvParam = p.resourceVersion;
  const fromRv = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
  if (fromRv !== undefined && (!Number.isFinite(fromRv) || fromRv < table.floorRv)) {
    res.end(tooOldEvent(rvParam!, table.floorRv));
    return;
  }

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => {};
  let unregister: () => void = () => {};
  const close = () => {
    if (closed) return;
    flush();
    closed = true;
    unsubscribe();
    unregister();
    for (const t of timers) clearTimeout(t), clearInterval(t);
    if (!res.writableEnded) res.end();
  };
  res.on('close', close);
  unregister = hooks.register(close);

  // Lines are gathered and written once per tick: one syscall for a burst of events.
  let pending = '';
  const flush = () => { if (!closed && pending) res.write(pending); pending = ''; };
  const write = (s: string) => {
    if (closed) return;
    if (!pending) setImmediate(flush);
    pending += s;
  };
  const send = (ev: StoreEvent) => {
    const now = matches(ev.obj);
    const before = ev.type === 'MODIFIED' && ev.prev ? matches(ev.prev) : now;
    if (ev.type === 'MODIFIED' && now !== before) {
      // Selector-filtered watch: the object moved into or out of the selection.
      if (now) write(line('ADDED', toJson(ev.obj)));
      else write(line('DELETED', toJson({ ...ev.prev!, metadata: { ...ev.prev!.metadata, resourceVersion: String(ev.rv) } })));
      return;
    }
    if (now) write(line(ev.type, toJson(ev.obj)));
  };

  let startRv: number;
  if (fromRv === undefined) {
    for (const o of store.list(p.def, p.namespace)) if (matches(o)) write(line('ADDED', toJson(o)));
    startRv = store.rv;
  } else {
    startRv = fromRv;
    // Bookmarks only go out when newer than what the initial replay already reached.
    for (const ev of table.history) if (ev.rv > fromRv) { send(ev); startRv = ev.rv; }
  }
  unsubscribe = store.subscribe((ev) => { if (ev.def === p.def) send(ev); });

  const bookmarks = p.allowBookmarks && fromRv !== undefined;
  const bookmark = () => {
    if (table.lastRv > startRv) {
      write(line('BOOKMARK', JSON.stringify({ apiVersion: apiVersionOf(p.def), kind: p.def.kind, metadata: { resourceVersion: String(table.lastRv) } })));
    }
  };
  if (bookmarks) timers.push(setInterval(bookmark, p.bookmarkIntervalMs));
  if (p.timeoutSeconds !== undefined && p.timeoutSeconds > 0) {
    const ms = p.timeoutSeconds * 1000;
    if (bookmarks) timers.push(setTimeout(bookmark, Math.max(ms - 2000, ms * 0.75)));
    timers.push(setTimeout(close, ms));
  }
}
