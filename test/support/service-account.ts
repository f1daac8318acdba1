/**
 * The server's identity in cluster-backed tests: the ServiceAccount, ClusterRole and
 * ClusterRoleBinding rendered from manifests/ (what a real install creates), applied to the cluster
 * with the admin credentials, and a kubeconfig that authenticates as that ServiceAccount with a
 * token from the TokenRequest API (what the pod's projected token is). Tests run the server with
 * it, so a permission the ClusterRole lacks fails the test exactly as it would fail an install.
 *
 * `rules` lets a test bind a narrowed copy of the ClusterRole (under its own names, so several
 * identities can live in one cluster at once).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { render, type K8sObject } from '#test/manifests/kustomize.ts';
import { ROOT } from '../../scripts/build.ts';

export interface ServerIdentity {
  /** `system:serviceaccount:<namespace>:<name>` */
  username: string;
  namespace: string;
  serviceAccount: string;
  clusterRole: string;
  rules: V1PolicyRule[];
  kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  /** Deletes the ServiceAccount, ClusterRole and binding (the namespace stays). */
  remove(): Promise<void>;
}

const code = (e: unknown) => (e as { code?: number }).code;
const ignore = (status: number) => (e: unknown) => { if (code(e) !== status) throw e; };

/** The objects of manifests/ (base) that give the server its rights. */
export function manifestIdentity(): { serviceAccount: K8sObject; clusterRole: K8sObject; binding: K8sObject } {
  const objects = render(join(ROOT, 'manifests'));
  const one = (kind: string) => {
    const hits = objects.filter((o) => o.kind === kind);
    if (hits.length !== 1) throw new Error(`manifests/ renders ${hits.length} ${kind} objects, expected 1`);
    return hits[0]!;
  };
  return { serviceAccount: one('ServiceAccount'), clusterRole: one('ClusterRole'), binding: one('ClusterRoleBinding') };
}

/** The ClusterRole's rules as rendered from manifests/. */
export function manifestRules(): V1PolicyRule[] {
  return structuredClone(manifestIdentity().clusterRole.rules as V1PolicyRule[]);
}

/**
 * Creates the server's ServiceAccount and binds it to the manifests' ClusterRole (or `rules`);
 * writes a kubeconfig for it into `dir`. `admin` must be allowed to manage RBAC.
 */
export async function serverIdentity(admin: KubeConfig, dir: string, opts: { rules?: V1PolicyRule[]; suffix?: string } = {}): Promise<ServerIdentity> {
  const m = manifestIdentity();
  const custom = opts.rules !== undefined || opts.suffix !== undefined;
  const suffix = custom ? `-${opts.suffix ?? randomBytes(3).toString('hex')}` : '';
  const namespace = m.serviceAccount.metadata.namespace!;
  const serviceAccount = `${m.serviceAccount.metadata.name}${suffix}`;
  const clusterRole = `${m.clusterRole.metadata.name}${suffix}`;
  const bindingName = `${m.binding.metadata.name}${suffix}`;
  const rules = opts.rules ?? (m.clusterRole.rules as V1PolicyRule[]);
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);

  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch(ignore(409));
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: serviceAccount, namespace } } }).catch(ignore(409));
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: clusterRole, labels: m.clusterRole.metadata.labels }, rules };
  await rbac.createClusterRole({ body: role }).catch(async (e) => {
    if (code(e) !== 409) throw e;
    await rbac.replaceClusterRole({ name: clusterRole, body: role });
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: bindingName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
  }).catch(ignore(409));
  const tr = await core.createNamespacedServiceAccountToken({
    namespace, name: serviceAccount,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: 24 * 3600 } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);

  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const clusterEntry: Record<string, unknown> = { server: cluster.server };
  if (cluster.caData) clusterEntry['certificate-authority-data'] = cluster.caData;
  if (cluster.caFile) clusterEntry['certificate-authority'] = cluster.caFile;
  if (cluster.skipTLSVerify) clusterEntry['insecure-skip-tls-verify'] = true;
  const kubeconfig = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'ssvirt', preferences: {},
    clusters: [{ name: 'cluster', cluster: clusterEntry }],
    users: [{ name: serviceAccount, user: { token } }],
    contexts: [{ name: 'ssvirt', context: { cluster: 'cluster', user: serviceAccount } }],
  };
  const kubeconfigPath = join(dir, `kubeconfig-${serviceAccount}`);
  writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig, null, 2), { mode: 0o600 });
  return {
    username: `system:serviceaccount:${namespace}:${serviceAccount}`,
    namespace, serviceAccount, clusterRole, rules, kubeconfigPath,
    kubeConfig() { const kc = new KubeConfig(); kc.loadFromFile(kubeconfigPath); return kc; },
    async remove() {
      await rbac.deleteClusterRoleBinding({ name: bindingName }).catch(ignore(404));
      await rbac.deleteClusterRole({ name: clusterRole }).catch(ignore(404));
      await core.deleteNamespacedServiceAccount({ namespace, name: serviceAccount }).catch(ignore(404));
    },
  };
}
