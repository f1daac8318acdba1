/**
 * Where the cluster comes from: `SSVIRT_KUBECONFIG`, else the in-cluster service account, else
 * `KUBECONFIG`, else none (degraded mode).
 */
import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';

export interface LoadedKubeConfig {
  kc: KubeConfig;
  source: 'SSVIRT_KUBECONFIG' | 'in-cluster' | 'KUBECONFIG';
  server: string;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Which source configures the cluster, without loading the client library. */
export function kubeConfigSource(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedKubeConfig['source'] | undefined {
  if (explicit) return 'SSVIRT_KUBECONFIG';
  if (env.KUBERNETES_SERVICE_HOST && existsSync(SA_TOKEN)) return 'in-cluster';
  if (env.KUBECONFIG) return 'KUBECONFIG';
  return undefined;
}

/** Loads the Kubernetes configuration, or undefined when none is available. */
export async function loadKubeConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<LoadedKubeConfig | undefined> {
  const source = kubeConfigSource(explicit, env);
  if (!source) return undefined;
  // Imported only when a cluster is configured: loading the client is most of the start-up time.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (source === 'SSVIRT_KUBECONFIG') kc.loadFromFile(explicit!);
  else if (source === 'in-cluster') {
    kc.loadFromCluster();
    // client-node reads the service address from process.env; use the environment the source was
    // chosen from, so the two cannot disagree.
    const server = inClusterServer(env);
    kc.clusters = kc.clusters.map((c) => ({ ...c, server }));
  }
  else kc.loadFromFile(env.KUBECONFIG!.split(':')[0]!);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error(`${source}: the kubeconfig names no current cluster`);
  return { kc, source, server };
}

/** The API server address of a pod's environment, as client-node's loadFromCluster builds it. */
function inClusterServer(env: NodeJS.ProcessEnv): string {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT || '443';
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  return `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}
