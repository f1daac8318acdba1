/**
 * Where the cluster comes from: `SSVIRT_KUBECONFIG`, else the in-cluster service account, else
 * `KUBECONFIG`, else none (degraded mode).
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export interface LoadedKubeConfig {
  kc: KubeConfig;
  source: 'SSVIRT_KUBECONFIG' | 'in-cluster' | 'KUBECONFIG';
  server: string;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Loads the Kubernetes configuration, or undefined when none is available. */
export function loadKubeConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedKubeConfig | undefined {
  const kc = new KubeConfig();
  let source: LoadedKubeConfig['source'];
  if (explicit) {
    kc.loadFromFile(explicit);
    source = 'SSVIRT_KUBECONFIG';
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SA_TOKEN)) {
    kc.loadFromCluster();
    source = 'in-cluster';
  } else if (env.KUBECONFIG) {
    kc.loadFromFile(env.KUBECONFIG.split(':')[0]!);
    source = 'KUBECONFIG';
  } else {
    return undefined;
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error(`${source}: the kubeconfig names no current cluster`);
  return { kc, source, server };
}
