/**
 * Kubernetes API server simulator for tests and local development (issue 3).
 *
 * `startSimulator()` serves the REST API SSVirt uses on 127.0.0.1 (HTTP, or HTTPS with a
 * self-signed certificate that is written into the kubeconfig), authenticates a bearer token
 * (`token`, admin: system:masters) and a second token (`userToken`, user "test-user", no RBAC
 * bindings), and writes a kubeconfig for @kubernetes/client-node or kubectl. Every other request is
 * decided by RBAC (apiserver/rbac.ts) from the stored ClusterRoles/Roles and their bindings;
 * ServiceAccount tokens come from TokenRequest or `serviceAccountToken(ns, name)`, and
 * `kubeconfigFor(token)` writes a kubeconfig for one. SubjectAccessReview is served;
 * `templateInstanceAdmission: true` adds OpenShift's TemplateInstance requester/immutability checks.
 *
 * Control API: `sim.faults` in-process, or over HTTP on a second port (`controlUrl`, plain HTTP,
 * admin bearer token) so faults can be injected into a separately running server under test even
 * during an outage: `GET|POST|DELETE /_sim/faults`, `DELETE /_sim/faults/<id>`, `POST /_sim/compact`
 * (etcd compaction: older continue tokens expire), `POST /_sim/evict-watch-cache` (older watch
 * resourceVersions become "too old"). The same paths also answer on the API port outside an outage.
 *
 * What the KubeVirt subresources record for the controllers: see apiserver/kubevirt.ts and README.md.
 */
import { Authorizer, DEFAULT_RBAC } from './apiserver/rbac.ts';
import { ServiceAccountTokens } from './apiserver/tokens.ts';
import { admitTemplateInstanceUpdate } from './apiserver/templateinstance-admission.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { Controllers } from './apiserver/gc.ts';
import type { FaultControl } from './apiserver/faults.ts';
import { admitCount, startQuotaController } from './apiserver/quota.ts';
import { Registry } from './apiserver/registry.ts';
import { CrdSchemas } from './apiserver/crd-schemas.ts';
import { pruneWrite } from './apiserver/prune.ts';
import { loadCrdManifests } from './crds/index.ts';
import { findResource } from './apiserver/resources.ts';
import { ApiServer } from './apiserver/server.ts';
import { Store } from './apiserver/store.ts';
import { selfSignedCert } from './apiserver/tls.ts';

export type { FaultControl, FaultRule } from './apiserver/faults.ts';
export { PAUSE_ANNOTATION, RESTART_ANNOTATION, STOP_GRACE_ANNOTATION, RESTART_GRACE_ANNOTATION } from './apiserver/kubevirt.ts';

export interface SimulatorOptions {
  port?: number;
  tls?: boolean;
  token?: string;
  /**
   * Admit TemplateInstances as OpenShift's API server does: spec.requester filled from the caller,
   * another requester needs `assign`, spec immutable. Default off: the recorded cluster served
   * TemplateInstance as a plain CRD, and the controllers' tests rely on that.
   */
  templateInstanceAdmission?: boolean;
  /** Token of a user with no permissions (403 on everything but discovery). Default random. */
  userToken?: string;
  /** Name that `userToken` authenticates as (default "test-user"). */
  userName?: string;
  subresources?: boolean;
  namespaceFinalizeDelayMs?: number;
  gcDelayMs?: number;
  bookmarkIntervalMs?: number;
  dir?: string;
  /** Keep ResourceQuota status up to date like kube-controller-manager's quota controller (default true). */
  quotaController?: boolean;
  /** Events kept per resource for watches from an older resourceVersion (default 1000). */
  watchCacheSize?: number;
}

export interface Simulator {
  url: string;
  token: string;
  userToken: string;
  kubeconfigPath: string;
  /** Plain-HTTP control endpoint (faults, compaction) that keeps answering during an outage. */
  controlUrl: string;
  kubeConfig(): KubeConfig;
  faults: FaultControl;
  /** Like `etcdctl compact`: continue tokens and Exact lists from before now answer 410. */
  compact(): void;
  /** Empties the watch event window: watches from any earlier resourceVersion get a 410 ERROR event. */
  evictWatchHistory(): void;
  /** Current global resourceVersion. */
  resourceVersion(): string;
  stop(): Promise<void>;
  /** A TokenRequest token for the ServiceAccount (which must exist): authenticates as system:serviceaccount:<ns>:<name>. */
  serviceAccountToken(namespace: string, name: string): string;
  /** Writes a kubeconfig that uses `token` against this simulator and returns its path. */
  kubeconfigFor(token: string): string;
}

const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'ssvirt-sim-'));
  const token = opts.token ?? randomBytes(24).toString('hex');
  const userToken = opts.userToken ?? randomBytes(24).toString('hex');
  const store = new Store(opts.watchCacheSize ?? 1000);
  const registry = new Registry(store);
  const ns = findResource('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) registry.create(ns, '', { metadata: { name } }, { manager: 'kube-apiserver' });
  // Watches from before the simulator started are "too old", as on a server whose cache starts later.
  store.evictWatchHistory();
  // The default RBAC objects a cluster bootstraps with (discovery open to authenticated users).
  const crDef = findResource('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
  const crbDef = findResource('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')!;
  for (const o of DEFAULT_RBAC.clusterRoles) registry.create(crDef, '', o, { manager: 'kube-apiserver' });
  for (const o of DEFAULT_RBAC.clusterRoleBindings) registry.create(crbDef, '', o, { manager: 'kube-apiserver' });
  store.evictWatchHistory();
  const authorizer = new Authorizer(store);
  const tokens = new ServiceAccountTokens(store);
  registry.admitCreate = (def, obj) => admitCount(store, def, obj);
  // Custom resources are pruned by their CRD's structural schema (a stored CRD, else crds/*.yaml).
  const crdSchemas = new CrdSchemas(store, loadCrdManifests() as never[], true);
  registry.admitFields = (def, obj, caller) => pruneWrite(obj, crdSchemas.schema(def), caller);
  if (opts.templateInstanceAdmission) registry.admitUpdate = admitTemplateInstanceUpdate;
  const controllers = new Controllers(store, registry, opts.gcDelayMs ?? 20, opts.namespaceFinalizeDelayMs ?? 200);
  const stopQuota = opts.quotaController === false ? () => {} : startQuotaController(store, registry);
  const tls = opts.tls ? selfSignedCert(dir) : undefined;
  const server = new ApiServer(store, registry, {
    authorizer, tokens, templateInstanceAdmission: opts.templateInstanceAdmission ?? false,
    adminToken: token, userToken, userName: opts.userName ?? 'test-user', subresources: opts.subresources ?? true,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000, tls, port: opts.port ?? 0,
    // The OpenAPI documents describe the same schemas that prune writes.
    crdSchemas,
  });
  await server.start();
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${server.port}`;
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const cluster: Record<string, string | boolean> = { server: url };
  // client-node 1.x refuses plain http unless the cluster entry says to skip TLS verification.
  if (tls) cluster['certificate-authority-data'] = Buffer.from(tls.cert).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  const kubeconfig = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'ssvirt-sim', preferences: {},
    clusters: [{ name: 'ssvirt-sim', cluster }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'ssvirt-sim', context: { cluster: 'ssvirt-sim', user: 'admin' } }],
  };
  writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });
  let kubeconfigs = 0;
  return {
    url, token, userToken, kubeconfigPath,
    controlUrl: `http://127.0.0.1:${server.controlPort}`,
    kubeConfig() { const kc = new KubeConfig(); kc.loadFromFile(kubeconfigPath); return kc; },
    faults: server.faults,
    compact: () => store.compact(),
    evictWatchHistory: () => store.evictWatchHistory(),
    resourceVersion: () => String(store.rv),
    async stop() { controllers.stop(); stopQuota(); authorizer.close(); await server.stop(); },
    serviceAccountToken(namespace, name) {
      const t = tokens.issue(namespace, name);
      if (!t) throw new Error(`serviceaccount ${namespace}/${name} not found`);
      return t.token;
    },
    kubeconfigFor(tok) {
      const p = path.join(dir, `kubeconfig-${++kubeconfigs}`);
      const kc = { ...kubeconfig, users: [{ name: 'user', user: { token: tok } }], contexts: [{ name: 'ssvirt-sim', context: { cluster: 'ssvirt-sim', user: 'user' } }] };
      writeFileSync(p, JSON.stringify(kc, null, 2), { mode: 0o600 });
      return p;
    },
  };
}
