/**
 * A dynamic client as client-go's: create, get, list and delete any object by its RESTMapping, so
 * the TemplateInstance controller reaches objects at the path discovery gave (not at one guessed
 * again by another layer). Errors carry the HTTP status as `code` and the server's `Status` as
 * `body`, like client-node's ApiException, so runtime.ts's errorCode/errorMessage read them.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { RestMapping } from './rest-mapper.ts';

export class DynamicApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${code}: ${(body as { message?: string })?.message ?? JSON.stringify(body)}`);
  }
}

export interface DynamicClient {
  create(m: RestMapping, namespace: string, body: KubernetesObject): Promise<KubernetesObject>;
  get(m: RestMapping, namespace: string, name: string): Promise<KubernetesObject>;
  list(m: RestMapping, namespace: string, labelSelector?: string): Promise<KubernetesObject[]>;
  delete(m: RestMapping, namespace: string, name: string, propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'): Promise<void>;
}

/** The collection path of a mapping (in `namespace` when the resource is namespaced). */
export function collectionPath(m: RestMapping, namespace: string): string {
  const root = m.group ? `/apis/${m.group}/${m.version}` : `/api/${m.version}`;
  const ns = m.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${m.resource}`;
}

export function makeDynamicClient(kc: KubeConfig): DynamicClient {
  async function request(method: string, path: string, body?: unknown): Promise<any> {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('no current cluster in the kubeconfig');
    const url = new URL(server.replace(/\/$/, '') + path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    const opts: https.RequestOptions = { method, headers };
    await kc.applyToHTTPSOptions(opts);
    const mod = url.protocol === 'https:' ? https : http;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = mod.request(url, opts, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (a proxy's error page): keep the text
    }
    if (status < 200 || status >= 300) throw new DynamicApiError(status, parsed);
    return parsed;
  }

  return {
    create: (m, namespace, body) => request('POST', collectionPath(m, namespace), body),
    get: (m, namespace, name) => request('GET', `${collectionPath(m, namespace)}/${encodeURIComponent(name)}`),
    async list(m, namespace, labelSelector) {
      const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
      const list = await request('GET', `${collectionPath(m, namespace)}${query}`);
      return (list?.items ?? []) as KubernetesObject[];
    },
    async delete(m, namespace, name, propagationPolicy) {
      const body = propagationPolicy ? { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy } : undefined;
      await request('DELETE', `${collectionPath(m, namespace)}/${encodeURIComponent(name)}`, body);
    },
  };
}
