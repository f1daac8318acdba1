/**
 * The one Kubernetes client of the process: typed client-node APIs plus `call()`, which every
 * operation goes through for a bounded time, a metric, and a classified error.
 */
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, ApisApi, type KubeConfig } from '@kubernetes/client-node';
import type { RequestContext, ResponseContext } from '@kubernetes/client-node';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { classify } from './errors.ts';
// client-node's middleware contract is its own minimal Observable; `of` builds one.
import { of } from '@kubernetes/client-node/dist/gen/rxjsStub.js';
import type { K8sMetrics } from './metrics.ts';

export interface CallOptions {
  /** Content-Type for patches. */
  contentType?: string;
  timeoutMs?: number;
}

export class KubeApi {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly net: NetworkingV1Api;
  readonly apis: ApisApi;

  /** One keep-alive agent for every call (see `sharedAgent`). */
  private agent: HttpAgent | undefined;
  private agentKey = '';

  constructor(readonly kc: KubeConfig, private readonly opts: { timeoutMs: number; metrics?: K8sMetrics }) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.net = kc.makeApiClient(NetworkingV1Api);
    this.apis = kc.makeApiClient(ApisApi);
  }

  /**
   * Runs one API call with a timeout (client-node has none of its own), records the outcome by
   * verb and resource (never by object name) and rethrows failures as K8sError.
   */
  async call<T>(verb: string, resource: string, fn: (options: object) => Promise<T>, o: CallOptions = {}): Promise<T> {
    const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs;
    const signal = AbortSignal.timeout(timeoutMs);
    const options = {
      middleware: [{
        pre: (ctx: RequestContext) => {
          ctx.setSignal(signal);
          const agent = ctx.getAgent();
          if (agent) ctx.setAgent(this.sharedAgent(agent));
          if (o.contentType) ctx.setHeaderParam('Content-Type', o.contentType);
          return of(ctx);
        },
        post: (r: ResponseContext) => of(r),
      }],
      middlewareMergeStrategy: 'append',
    };
    const end = this.opts.metrics?.startCall(verb, resource);
    try {
      const out = await fn(options);
      end?.('success');
      return out;
    } catch (e) {
      const err = classify(e);
      end?.(err.kind);
      throw err;
    }
  }

  /**
   * client-node builds a new agent for every request, so every call would open a new connection
   * and TLS session (most of a VDC create's CPU). The agent it built is swapped for one
   * keep-alive agent with the same TLS material, rebuilt only when that material changes.
   */
  private sharedAgent(built: HttpAgent): HttpAgent {
    const o = (built as HttpAgent & { options: Record<string, unknown> }).options ?? {};
    const tls = built instanceof HttpsAgent;
    const key = [tls, o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername].map(String).join('\0');
    if (!this.agent || key !== this.agentKey) {
      this.agent?.destroy();
      const options = { ...o, keepAlive: true };
      this.agent = tls ? new HttpsAgent(options) : new HttpAgent(options);
      this.agentKey = key;
    }
    return this.agent;
  }

  /** Closes the kept-alive connections (on shutdown). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /**
   * A raw JSON request for paths the typed clients do not cover (KubeVirt's subresources,
   * discovery). Authentication and TLS come from the same KubeConfig.
   */
  async raw<T = unknown>(verb: string, resource: string, method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<T> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw classify(new Error('no current cluster in the kubeconfig'));
    const url = new URL(path, cluster.server.endsWith('/') ? cluster.server : cluster.server + '/');
    const opts: RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    if (opts.agent instanceof HttpAgent) opts.agent = this.sharedAgent(opts.agent);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) (opts.headers as Record<string, string>)['Content-Type'] = o.contentType ?? 'application/json';
    const timeoutMs = o.timeoutMs ?? this.opts.timeoutMs;
    const end = this.opts.metrics?.startCall(verb, resource);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      const out = await new Promise<T>((resolve, reject) => {
        const req = send(url, { ...opts, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) resolve(parsed as T);
            else reject(Object.assign(new Error(`HTTP ${code}`), { code, body: parsed }));
          });
        });
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });
      end?.('success');
      return out;
    } catch (e) {
      const err = classify(e);
      end?.(err.kind);
      throw err;
    }
  }
}
