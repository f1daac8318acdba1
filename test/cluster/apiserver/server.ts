/**
 * The HTTP side of the simulator: URL routing onto resources, bearer-token authentication, a
 * forbidden-for-everything second user, fault injection, list/watch/get/create/update/patch/delete
 * answering with the headers and bodies a kube-apiserver sends, and the `/_sim/*` control API.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Discovery } from './discovery.ts';
import { ApiError, errors, failure, type Status } from './errors.ts';
import { Faults, type FaultRule } from './faults.ts';
import { Registry, statusOf } from './registry.ts';
import { apiVersionOf, findResource, KUBEVIRT_ACTIONS, KUBEVIRT_SUBRESOURCE_GROUP, type ResourceDef } from './resources.ts';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { Obj } from './serialize.ts';
import { toItemJson, toJson, type Store } from './store.ts';
import { serveWatch, startWatchHeaders, tooOldEvent } from './watch.ts';
import { kubevirtAction } from './kubevirt.ts';
import { table, wantsTable } from './table.ts';
import type { Attributes, Authorizer, Identity } from './rbac.ts';
import type { ServiceAccountTokens } from './tokens.ts';
import { parseFieldValidation, warningHeader } from './prune.ts';
import { admitTemplateInstanceCreate } from './templateinstance-admission.ts';
import { OpenApiDocuments, type CrdSchemaSource } from './openapi.ts';
import { answerOpenApi } from './openapi-handler.ts';
import { CrdSchemas } from './crd-schemas.ts';
import { loadCrdManifests } from '../crds/index.ts';

export interface ServerConfig {
  adminToken: string;
  userToken: string;
  /** Name the second token authenticates as; it has no permissions at all. */
  userName: string;
  subresources: boolean;
  bookmarkIntervalMs: number;
  tls?: { key: string; cert: string };
  port: number;
  /** RBAC decisions for every request but the admin's (system:masters) and the control API. */
  authorizer: Authorizer;
  /** Tokens issued through TokenRequest. */
  tokens: ServiceAccountTokens;
  /** OpenShift's templateinstance strategy (requester filled/checked on create); off like the CRD-served recordings. */
  templateInstanceAdmission: boolean;
  /** The CRD schemas the OpenAPI documents describe (default: stored CRDs, else the preinstalled manifests). */
  crdSchemas?: CrdSchemaSource;
}

const FLOWSCHEMA_UID = '367a39b8-88c8-4059-9589-33ef9fcb9d57';
const PRIORITY_UID = '943e3a63-a7ef-4db4-9b0a-efa0e390f43d';
const MAX_BODY = 3 * 1024 * 1024;

interface Route {
  kind: 'resource';
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** subresources.kubevirt.io action, e.g. 'virtualmachines/start'. */
  action?: string;
}

type Parsed = Route | { kind: 'discovery'; doc: () => Obj | undefined; pretty?: boolean } | { kind: 'openapi' } | { kind: 'notfound' } | { kind: 'control' };

const encodeContinue = (rv: number, start: string) =>
  Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');

export class ApiServer {
  readonly faults = new Faults();
  readonly discovery: Discovery;
  readonly openapi: OpenApiDocuments;
  private server!: http.Server;
  private control!: http.Server;
  private readonly sockets = new Set<Socket>();
  /** Open watch streams: their closer and what they watch (for dropWatch rules). */
  private readonly watches = new Map<() => void, { resource: string; namespace?: string }>();
  private listening = false;
  port = 0;
  controlPort = 0;

  constructor(private readonly store: Store, private readonly registry: Registry, private readonly cfg: ServerConfig) {
    this.discovery = new Discovery(cfg.subresources);
    // Unknown fields are only detected (pruned, refused under Strict) for custom resources, so only
    // their operations advertise fieldValidation; kubectl validates built-in kinds client-side.
    this.openapi = new OpenApiDocuments(cfg.crdSchemas ?? new CrdSchemas(store, loadCrdManifests() as never[], true), {
      version: String(this.discovery.version().gitVersion), strictKinds: (def) => def.crd,
    });
  }

  async start(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => { void this.handle(req, res, false); };
    this.server = this.cfg.tls ? https.createServer({ key: this.cfg.tls.key, cert: this.cfg.tls.cert }, handler) : http.createServer(handler);
    this.server.keepAliveTimeout = 60_000;
    const onConn = (s: Socket) => {
      if (this.faults.takeConnection()) { s.destroy(); return; }
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    };
    this.server.on(this.cfg.tls ? 'secureConnection' : 'connection', onConn);
    // A TLS socket is only seen by `onConn` after its handshake: track the raw one too, so an
    // outage or stop() also ends connections still handshaking (clients reconnecting right after
    // an outage), which would otherwise keep server.close() waiting.
    if (this.cfg.tls) {
      this.server.on('connection', (s: Socket) => {
        s.on('error', () => {});
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
    }
    await new Promise<void>((resolve) => this.server.listen(this.cfg.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
    this.control = http.createServer((req, res) => { void this.handle(req, res, true); });
    await new Promise<void>((resolve) => this.control.listen(0, '127.0.0.1', resolve));
    this.controlPort = (this.control.address() as AddressInfo).port;
    this.faults.onChange = () => { this.applyOutage(); this.dropOpenWatches(); };
  }

  /** A dropWatch rule also ends the matching streams already open, so clients must reconnect into it. */
  private dropOpenWatches(): void {
    for (const [close, w] of [...this.watches]) if (this.faults.dropsWatch({ verb: 'watch', ...w })) close();
  }

  private applyOutage(): void {
    if (this.faults.fullOutage && this.listening) {
      this.listening = false;
      this.server.close();
      for (const w of [...this.watches.keys()]) w();
      for (const s of this.sockets) s.destroy();
    } else if (!this.faults.fullOutage && !this.listening) {
      this.listening = true;
      this.server.listen(this.port, '127.0.0.1');
    }
  }

  async stop(): Promise<void> {
    this.faults.onChange = () => {};
    for (const w of [...this.watches.keys()]) w();
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.listening ? this.server.close(() => r()) : r())),
      new Promise<void>((r) => { this.control.closeAllConnections(); this.control.close(() => r()); }),
    ]);
  }

  private parse(pathname: string): Parsed {
    if (pathname.startsWith('/_sim/')) return { kind: 'control' };
    const seg = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const d = this.discovery;
    if (pathname === '/version' || pathname === '/version/') return { kind: 'discovery', doc: () => d.version(), pretty: true };
    if (seg[0] === 'openapi') return { kind: 'openapi' };
    if (seg[0] === 'api') {
      if (seg.length === 1) return { kind: 'discovery', doc: () => d.api(`127.0.0.1:${this.port}`) };
      if (seg[1] !== 'v1') return { kind: 'notfound' };
      if (seg.length === 2) return { kind: 'discovery', doc: () => d.resourceList('', 'v1') };
      return this.resourceRoute('', 'v1', seg.slice(2));
    }
    if (seg[0] === 'apis') {
      if (seg.length === 1) return { kind: 'discovery', doc: () => d.apiGroupList() };
      const group = seg[1]!;
      if (seg.length === 2) return { kind: 'discovery', doc: () => d.apiGroup(group) };
      if (seg.length === 3) return { kind: 'discovery', doc: () => d.resourceList(group, seg[2]!) };
      if (group === KUBEVIRT_SUBRESOURCE_GROUP) {
        if (!this.cfg.subresources || seg[2] !== 'v1') return { kind: 'notfound' };
        const r = seg.slice(3);
        if (r.length !== 5 || r[0] !== 'namespaces') return { kind: 'notfound' };
        const action = `${r[2]}/${r[4]}`;
        const a = KUBEVIRT_ACTIONS[action];
        if (!a) return { kind: 'notfound' };
        return { kind: 'resource', def: findResource('kubevirt.io', 'v1', a.target)!, namespace: r[1], name: r[3], action };
      }
      return this.resourceRoute(group, seg[2]!, seg.slice(3));
    }
    return { kind: 'notfound' };
  }

  private resourceRoute(group: string, version: string, s: string[]): Parsed {
    if (s[0] === 'namespaces' && s.length >= 3) {
      const def = findResource(group, version, s[2]!);
      if (def?.namespaced) {
        if (s.length > 5) return { kind: 'notfound' };
        return { kind: 'resource', def, namespace: s[1], name: s[3], subresource: s[4] };
      }
    }
    const def = findResource(group, version, s[0]!);
    if (!def || s.length > 3) return { kind: 'notfound' };
    if (def.namespaced && s.length > 1) return { kind: 'notfound' };
    return { kind: 'resource', def, name: s[1], subresource: s[2] };
  }

  private baseHeaders(authenticated: boolean): Record<string, string> {
    const h: Record<string, string> = { 'Audit-Id': randomUUID(), 'Cache-Control': 'no-cache, private' };
    if (authenticated) {
      h['X-Kubernetes-Pf-Flowschema-Uid'] = FLOWSCHEMA_UID;
      h['X-Kubernetes-Pf-Prioritylevel-Uid'] = PRIORITY_UID;
    }
    return h;
  }

  private send(res: ServerResponse, code: number, body: string | Buffer, headers: Record<string, string>, type = 'application/json'): void {
    if (res.headersSent) { res.end(); return; }
    const len = Buffer.byteLength(body);
    const h: Record<string, string | number> = { ...headers, 'Content-Type': type };
    if (code === 404 && type.startsWith('text/plain')) h['X-Content-Type-Options'] = 'nosniff';
    // Like Go's net/http: small answers get a Content-Length, bigger ones are sent chunked.
    if (len <= 2048) h['Content-Length'] = len; else h['Transfer-Encoding'] = 'chunked';
    res.writeHead(code, h);
    res.end(body);
  }

  private sendJson(req: IncomingMessage, res: ServerResponse, code: number, json: string, headers: Record<string, string>, forcePretty = false): void {
    const ua = String(req.headers['user-agent'] ?? '');
    if (forcePretty) json = JSON.stringify(JSON.parse(json), null, 2);
    else if (/^(curl|Mozilla)\//.test(ua) || /[?&]pretty=(true|1)/.test(req.url ?? '')) json = `${JSON.stringify(JSON.parse(json), null, 2)}\n`;
    else json = `${json}\n`;
    this.send(res, code, json, headers);
  }

  private sendStatus(req: IncomingMessage, res: ServerResponse, s: Status, headers: Record<string, string>): void {
    this.sendJson(req, res, s.code ?? 500, JSON.stringify(s), headers);
  }

  /** Bodies read ahead of an injected latency. */
  private readonly preRead = new WeakMap<IncomingMessage, Promise<string>>();

  private readBody(req: IncomingMessage): Promise<string> {
    const early = this.preRead.get(req);
    if (early) return early;
    // Event listeners rather than `for await`: async iteration costs more than the rest of a create.
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) { reject(new ApiError(failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'))); req.destroy(); return; }
        chunks.push(c);
      });
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, viaControl: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    const route = this.parse(url.pathname);
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const identity = this.authenticate(token);
    const user = identity === undefined ? undefined : token === this.cfg.adminToken ? 'admin' : identity.user;
    let headers = this.baseHeaders(user !== undefined);
    try {
      if (route.kind === 'control' || viaControl) {
        if (user !== 'admin') throw errors.unauthorized();
        await this.handleControl(req, res, url, headers);
        return;
      }
      const method = req.method ?? 'GET';
      const watch = q.get('watch') === 'true' || q.get('watch') === '1';
      let verb = 'get';
      let resource: string | undefined;
      let namespace: string | undefined;
      if (route.kind === 'resource') {
        resource = route.action ?? (route.subresource ? `${route.def.plural}/${route.subresource}` : route.def.plural);
        namespace = route.namespace;
        verb = method === 'GET' ? (route.name ? 'get' : watch ? 'watch' : 'list')
          : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch'
            : method === 'DELETE' ? (route.name ? 'delete' : 'deletecollection') : method.toLowerCase();
      }
      const fault = this.faults.decide({ verb, resource, namespace });
      if (fault.latencyMs > 0) {
        // A real API server has the body before it is slow to act on it, and acts on it even when
        // the client gave up meanwhile: read it now so a held write still lands after a timeout.
        if (method !== 'GET') this.preRead.set(req, this.readBody(req));
        await new Promise((r) => setTimeout(r, fault.latencyMs));
      }
      const eff = fault.effect;
      if (eff?.reset) { req.socket.destroy(); return; }
      if (eff?.dropWatch) {
        startWatchHeaders(res, headers);
        if (eff.dropWatch === 'gone') res.end(tooOldEvent(q.get('resourceVersion') ?? '0', this.store.rv));
        else res.end();
        return;
      }
      if (eff?.status !== undefined) throw this.injected(eff, route, verb);

      if (user === undefined && !(token === undefined && route.kind === 'discovery' && url.pathname.startsWith('/version'))) {
        throw errors.unauthorized();
      }
      if (route.kind === 'notfound') { this.send(res, 404, '404 page not found\n', headers, 'text/plain; charset=utf-8'); return; }
      if (route.kind === 'openapi') {
        if (identity && !this.cfg.authorizer.authorize(identity, { verb: 'get', path: url.pathname }).allowed) {
          throw new ApiError(failure(403, 'Forbidden', `forbidden: User "${identity.user}" cannot get path "${url.pathname}"`, {}));
        }
        const a = answerOpenApi(this.openapi, url.pathname, q, { accept: req.headers.accept, ifNoneMatch: req.headers['if-none-match'] }, new Date());
        if (!a) { this.send(res, 404, '404 page not found\n', headers, 'text/plain; charset=utf-8'); return; }
        this.send(res, a.code, a.body, { ...headers, ...a.headers }, a.type);
        return;
      }
      if (route.kind === 'discovery') {
        const doc = route.doc();
        if (!doc) { this.send(res, 404, '404 page not found\n', headers, 'text/plain; charset=utf-8'); return; }
        if (identity && !this.cfg.authorizer.authorize(identity, { verb: 'get', path: url.pathname }).allowed) {
          throw new ApiError(failure(403, 'Forbidden', `forbidden: User "${identity.user}" cannot get path "${url.pathname}"`, {}));
        }
        this.sendJson(req, res, 200, JSON.stringify(doc), headers, route.pretty);
        return;
      }
      if (!this.cfg.authorizer.authorize(identity!, this.attributes(route, verb)).allowed) {
        const r = route.action ? { group: KUBEVIRT_SUBRESOURCE_GROUP, plural: route.action } : { group: route.def.group, plural: resource! };
        throw errors.forbidden(user!, verb, r, route.namespace, route.name);
      }
      await this.handleResource(req, res, route, verb, q, headers, identity!);
    } catch (e) {
      if (e instanceof ApiError) headers = { ...headers, ...e.headers };
      else if (!(e instanceof ApiError)) console.error('simulator request failed', e);
      this.sendStatus(req, res, statusOf(e), headers);
    }
  }

  /** The admin token is system:masters (allowed everything); the user token is only authenticated. */
  private authenticate(token: string | undefined): Identity | undefined {
    if (token === undefined) return undefined;
    if (token === this.cfg.adminToken) return { user: 'system:admin', groups: ['system:masters', 'system:authenticated'] };
    if (token === this.cfg.userToken) return { user: this.cfg.userName, groups: ['system:authenticated'] };
    return this.cfg.tokens.authenticate(token);
  }

  /** RBAC attributes: KubeVirt actions are subresources of group subresources.kubevirt.io. */
  private attributes(r: Route, verb: string): Attributes {
    if (r.action) {
      const [resource, subresource] = r.action.split('/') as [string, string];
      return { verb, group: KUBEVIRT_SUBRESOURCE_GROUP, resource, subresource, namespace: r.namespace, name: r.name };
    }
    return { verb, group: r.def.group, resource: r.def.plural, subresource: r.subresource, namespace: r.namespace, name: r.name };
  }

  private injected(rule: FaultRule, route: Parsed, verb: string): ApiError {
    const def = route.kind === 'resource' ? route.def : undefined;
    const name = route.kind === 'resource' ? route.name : undefined;
    switch (rule.status) {
      case 503: return errors.unavailable('the server is currently unable to handle the request (injected fault)');
      case 429: return errors.tooManyRequests();
      case 409: return def ? errors.conflict(def, name ?? '', 'the object has been modified; please apply your changes to the latest version and try again')
        : new ApiError(failure(409, 'Conflict', 'injected conflict'));
      case 403: return errors.forbidden('system:admin', verb, def ?? { group: '', plural: '' }, route.kind === 'resource' ? route.namespace : undefined, name);
      default: return errors.internal('injected fault');
    }
  }

  private async handleControl(req: IncomingMessage, res: ServerResponse, url: URL, headers: Record<string, string>): Promise<void> {
    const p = url.pathname.replace(/\/$/, '');
    const method = req.method ?? 'GET';
    if (p === '/_sim/faults' && method === 'GET') return this.sendJson(req, res, 200, JSON.stringify({ items: this.faults.list() }), headers);
    if (p === '/_sim/faults' && method === 'POST') {
      const rule = JSON.parse((await this.readBody(req)) || '{}') as FaultRule;
      return this.sendJson(req, res, 201, JSON.stringify({ id: this.faults.inject(rule) }), headers);
    }
    if (p === '/_sim/faults' && method === 'DELETE') { this.faults.clear(); return this.sendJson(req, res, 200, '{}', headers); }
    const m = /^\/_sim\/faults\/([^/]+)$/.exec(p);
    if (m && method === 'DELETE') { this.faults.clear(decodeURIComponent(m[1]!)); return this.sendJson(req, res, 200, '{}', headers); }
    if (p === '/_sim/compact' && method === 'POST') { this.store.compact(); return this.sendJson(req, res, 200, JSON.stringify({ compactedResourceVersion: String(this.store.compactedRv) }), headers); }
    if (p === '/_sim/evict-watch-cache' && method === 'POST') { this.store.evictWatchHistory(); return this.sendJson(req, res, 200, '{}', headers); }
    this.send(res, 404, '404 page not found\n', headers, 'text/plain; charset=utf-8');
  }

  /** SubjectAccessReview asks about the spec's user; SelfSubjectAccessReview about the caller. Neither is stored. */
  private async accessReview(req: IncomingMessage, res: ServerResponse, def: ResourceDef, caller: Identity, headers: Record<string, string>): Promise<void> {
    const body = this.json(await this.readBody(req)) as { spec?: Record<string, any>; metadata?: Obj };
    const spec = body.spec ?? {};
    const self = def.kind === 'SelfSubjectAccessReview';
    const id: Identity = self ? caller : { user: String(spec.user ?? ''), groups: (spec.groups as string[] | undefined) ?? [] };
    const ra = spec.resourceAttributes as Record<string, string> | undefined;
    const na = spec.nonResourceAttributes as { path?: string; verb?: string } | undefined;
    if (!ra && !na) throw errors.invalid(def.kind, '', def.group, def.kind, [{ reason: 'FieldValueRequired', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified', field: 'spec.resourceAttributes' }]);
    const attrs: Attributes = ra
      ? { verb: ra.verb ?? '', group: ra.group ?? '', resource: ra.resource ?? '', subresource: ra.subresource || undefined, namespace: ra.namespace || undefined, name: ra.name || undefined }
      : { verb: na!.verb ?? '', path: na!.path ?? '' };
    const d = this.cfg.authorizer.authorize(id, attrs);
    const status: Record<string, unknown> = { allowed: d.allowed };
    if (d.reason) status.reason = d.reason;
    const out = { kind: def.kind, apiVersion: 'authorization.k8s.io/v1', metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec, status };
    this.sendJson(req, res, 201, JSON.stringify(out), headers);
  }

  /** `kubectl create token`: answers the TokenRequest with status.token filled in. */
  private async tokenRequest(req: IncomingMessage, res: ServerResponse, ns: string, name: string, headers: Record<string, string>): Promise<void> {
    const body = this.json((await this.readBody(req)) || '{}') as { spec?: { expirationSeconds?: number; audiences?: string[] } };
    const spec = body.spec ?? {};
    const issued = this.cfg.tokens.issue(ns, name, spec.expirationSeconds ?? 3600);
    if (!issued) throw errors.notFound({ group: '', plural: 'serviceaccounts' }, name);
    const out = {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: { audiences: spec.audiences ?? ['https://kubernetes.default.svc'], expirationSeconds: spec.expirationSeconds ?? 3600, boundObjectRef: null },
      status: issued,
    };
    this.sendJson(req, res, 201, JSON.stringify(out), headers);
  }

  private async handleResource(req: IncomingMessage, res: ServerResponse, r: Route, verb: string, q: URLSearchParams, headers: Record<string, string>, identity: Identity): Promise<void> {
    const def = r.def;
    const ns = r.namespace ?? '';
    const method = req.method ?? 'GET';
    const options = method === 'POST' ? 'CreateOptions' : method === 'PUT' ? 'UpdateOptions' : 'PatchOptions';
    const warnings: string[] = [];
    const caller = {
      manager: q.get('fieldManager') || String(req.headers['user-agent'] ?? 'unknown').split('/')[0]! || 'unknown', dryRun: q.get('dryRun') === 'All',
      fieldValidation: ['POST', 'PUT', 'PATCH'].includes(method) ? parseFieldValidation(q.get('fieldValidation'), options) : undefined,
      warnings,
    };
    // Pruning's unknown-field warnings, one `Warning` header each (merged into writeHead's headers).
    const warn = () => { if (warnings.length) res.setHeader('Warning', warnings.map(warningHeader)); };
    if (r.action) {
      if (method !== 'PUT') throw errors.methodNotAllowed();
      const body = await this.readBody(req);
      const code = kubevirtAction(this.registry, r.action, ns, r.name!, body);
      this.send(res, code, '', headers, 'text/plain; charset=utf-8');
      return;
    }
    if (def.group === 'authorization.k8s.io') {
      if (method !== 'POST' || r.name) throw errors.methodNotAllowed();
      return this.accessReview(req, res, def, identity, headers);
    }
    if (r.subresource === 'token' && def.plural === 'serviceaccounts' && r.name) {
      if (method !== 'POST') throw errors.methodNotAllowed();
      return this.tokenRequest(req, res, ns, r.name, headers);
    }
    if (r.subresource && !(r.subresource === 'status' && def.statusSubresource) && !(r.subresource === 'finalize' && def.kind === 'Namespace')) {
      throw errors.notFound(def, r.name ?? '');
    }
    const sub = r.subresource === 'finalize' ? undefined : r.subresource;
    if (!r.name) {
      switch (method) {
        case 'GET': return verb === 'watch' ? this.watch(res, def, r.namespace, q, headers) : this.list(req, res, def, r.namespace, q, headers);
        case 'POST': {
          if (def.namespaced && r.namespace === undefined) throw errors.methodNotAllowed();
          const body = this.json(await this.readBody(req));
          if (this.cfg.templateInstanceAdmission) admitTemplateInstanceCreate(this.cfg.authorizer, identity, def, ns, body);
          const obj = this.registry.create(def, ns, body, caller);
          warn();
          return this.sendJson(req, res, 201, toJson(obj), headers);
        }
        case 'DELETE': return this.deleteCollection(req, res, def, r.namespace, q, headers);
        default: throw errors.methodNotAllowed();
      }
    }
    switch (method) {
      case 'GET': {
        const o = this.registry.get(def, ns, r.name);
        if (wantsTable(req.headers.accept)) return this.sendJson(req, res, 200, JSON.stringify(table(def, [o], { resourceVersion: o.metadata.resourceVersion })), headers);
        return this.sendJson(req, res, 200, toJson(o), headers);
      }
      case 'PUT': {
        const obj = r.subresource === 'finalize'
          ? this.finalizeNamespace(r.name, this.json(await this.readBody(req)))
          : this.registry.update(def, ns, r.name, this.json(await this.readBody(req)), caller, sub);
        warn();
        return this.sendJson(req, res, 200, toJson(obj), headers);
      }
      case 'PATCH': {
        const { obj, created } = this.registry.patch(def, ns, r.name, String(req.headers['content-type'] ?? ''), await this.readBody(req), q, caller, sub);
        warn();
        return this.sendJson(req, res, created ? 201 : 200, toJson(obj), headers);
      }
      case 'DELETE': {
        const raw = await this.readBody(req);
        const opts: Obj = raw.trim() ? this.json(raw) : {};
        if (q.get('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy');
        if (q.get('dryRun')) opts.dryRun = q.get('dryRun');
        const { body } = this.registry.delete(def, ns, r.name, opts);
        return this.sendJson(req, res, 200, body.kind === 'Status' ? JSON.stringify(body) : toJson(body), headers);
      }
      default: throw errors.methodNotAllowed();
    }
  }

  /** PUT /api/v1/namespaces/<name>/finalize: the way a namespace controller drops spec.finalizers. */
  private finalizeNamespace(name: string, body: Obj): Obj {
    const def = findResource('', 'v1', 'namespaces')!;
    const cur = this.registry.get(def, '', name);
    const fins: string[] = body?.spec?.finalizers ?? [];
    if (cur.metadata.deletionTimestamp && fins.length === 0) return this.store.remove(def, cur);
    return this.registry.mutate(def, cur, (n) => { n.spec = { ...n.spec, finalizers: fins }; }, 'finalize') ?? cur;
  }

  private json(raw: string): Obj {
    if (!raw.trim()) throw errors.badRequest('the request body is empty');
    try { return JSON.parse(raw); } catch {
      throw errors.badRequest("couldn't get version/kind; json parse error: the request body is not valid JSON");
    }
  }

  private selectors(def: ResourceDef, q: URLSearchParams) {
    return {
      labels: parseLabelSelector(q.get('labelSelector')),
      fields: parseFieldSelector(q.get('fieldSelector'), ['metadata.name', 'metadata.namespace', ...(def.extraFieldLabels ?? [])]),
    };
  }

  private list(req: IncomingMessage, res: ServerResponse, def: ResourceDef, ns: string | undefined, q: URLSearchParams, headers: Record<string, string>): void {
    const { labels, fields } = this.selectors(def, q);
    const limit = Number(q.get('limit') ?? 0) || 0;
    const cont = q.get('continue');
    let listRv = this.store.rv;
    let start = '';
    if (cont) {
      let tok: Obj;
      try {
        tok = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8'));
        if (tok.v !== 'meta.k8s.io/v1' || typeof tok.start !== 'string') throw new Error('bad');
      } catch {
        throw errors.badRequest('continue key is not valid: illegal base64 data at input byte 0');
      }
      start = tok.start;
      if (typeof tok.rv === 'number' && tok.rv > 0) {
        if (tok.rv < this.store.compactedRv) {
          throw errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
            { continue: encodeContinue(-1, start) });
        }
        listRv = tok.rv;
      }
    } else if (q.get('resourceVersionMatch') === 'Exact') {
      const rv = Number(q.get('resourceVersion'));
      if (!(rv > 0)) throw errors.badRequest('resourceVersionMatch "Exact" is forbidden for resourceVersion "0"');
      if (rv < this.store.compactedRv) throw errors.expired('The resourceVersion for the provided list is too old.');
    }
    const items: string[] = [];
    const objs: Obj[] = [];
    const asTable = wantsTable(req.headers.accept);
    let lastKey = '';
    let more = false;
    let remaining = 0;
    const noFilter = !labels && !fields;
    for (const o of this.store.list(def, ns)) {
      const key = ns !== undefined || !def.namespaced ? o.metadata.name : `${o.metadata.namespace}/${o.metadata.name}`;
      if (start && key < start) continue;
      if (start && key === start.replace(/\u0000$/, '')) continue;
      if (!matchLabels(labels, o.metadata.labels) || !matchFields(fields, o)) continue;
      if (limit > 0 && items.length >= limit) {
        more = true;
        if (!noFilter) break;
        remaining++;
        continue;
      }
      if (asTable) objs.push(o); else items.push(toItemJson(def, o));
      lastKey = key;
    }
    const rvs = JSON.stringify(String(listRv));
    const contTok = more ? JSON.stringify(encodeContinue(listRv, `${lastKey}\u0000`)) : undefined;
    const rem = more && noFilter ? `,"remainingItemCount":${remaining}` : '';
    const listKind = `${def.kind}List`;
    if (asTable) {
      const meta: Obj = { resourceVersion: String(listRv) };
      if (more) meta.continue = encodeContinue(listRv, `${lastKey}\u0000`);
      if (more && noFilter) meta.remainingItemCount = remaining;
      return this.sendJson(req, res, 200, JSON.stringify(table(def, objs, meta)), headers);
    }
    let json: string;
    if (def.crd) {
      const meta = `{"continue":${contTok ?? '""'}${rem},"resourceVersion":${rvs}}`;
      json = `{"apiVersion":"${apiVersionOf(def)}","items":[${items.join(',')}],"kind":"${listKind}","metadata":${meta}}`;
    } else {
      const meta = `{"resourceVersion":${rvs}${contTok ? `,"continue":${contTok}` : ''}${rem}}`;
      json = `{"kind":"${listKind}","apiVersion":"${apiVersionOf(def)}","metadata":${meta},"items":[${items.join(',')}]}`;
    }
    this.sendJson(req, res, 200, json, headers);
  }

  private watch(res: ServerResponse, def: ResourceDef, ns: string | undefined, q: URLSearchParams, headers: Record<string, string>): void {
    const { labels, fields } = this.selectors(def, q);
    const t = q.get('timeoutSeconds');
    serveWatch(this.store, {
      def, namespace: ns, labels, fields,
      resourceVersion: q.get('resourceVersion') ?? undefined,
      allowBookmarks: q.get('allowWatchBookmarks') === 'true',
      timeoutSeconds: t ? Number(t) : undefined,
      bookmarkIntervalMs: this.cfg.bookmarkIntervalMs,
    }, res, headers, {
      register: (close) => { this.watches.set(close, { resource: def.plural, namespace: ns }); return () => this.watches.delete(close); },
    });
  }

  private async deleteCollection(req: IncomingMessage, res: ServerResponse, def: ResourceDef, ns: string | undefined, q: URLSearchParams, headers: Record<string, string>): Promise<void> {
    const { labels, fields } = this.selectors(def, q);
    const raw = await this.readBody(req);
    const opts: Obj = raw.trim() ? this.json(raw) : {};
    const deleted: string[] = [];
    for (const o of [...this.store.list(def, ns)]) {
      if (!matchLabels(labels, o.metadata.labels) || !matchFields(fields, o)) continue;
      const { body } = this.registry.delete(def, o.metadata.namespace ?? '', o.metadata.name, opts);
      deleted.push(body.kind === 'Status' ? toItemJson(def, o) : toItemJson(def, body as Obj));
    }
    const json = def.crd
      ? `{"apiVersion":"${apiVersionOf(def)}","items":[${deleted.join(',')}],"kind":"${def.kind}List","metadata":{"continue":"","resourceVersion":"${this.store.rv}"}}`
      : `{"kind":"${def.kind}List","apiVersion":"${apiVersionOf(def)}","metadata":{"resourceVersion":"${this.store.rv}"},"items":[${deleted.join(',')}]}`;
    this.sendJson(req, res, 200, json, headers);
  }
}

