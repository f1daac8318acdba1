/**
 * Brings up the embedded Kubernetes integration when a cluster is configured
 * (`SSVIRT_KUBECONFIG`, then in-cluster, then `KUBECONFIG`); none → degraded mode (undefined).
 */
import type { Registry } from 'prom-client';
import type { Config } from '#lib/config.ts';
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import type { ClusterRuntime } from './runtime.ts';

/** Starts the cluster side, or returns undefined when no cluster is configured. */
export async function startCluster(deps: { config: Config; db: Db; log: Log; registry?: Registry; env?: NodeJS.ProcessEnv }): Promise<ClusterRuntime | undefined> {
  const loaded = await loadKubeConfig(deps.config.kubeconfig, deps.env ?? process.env);
  if (!loaded) {
    deps.log.info('no Kubernetes cluster configured: running in degraded mode');
    return undefined;
  }
  deps.log.info({ source: loaded.source, server: loaded.server }, 'connecting to Kubernetes');
  // Loaded only with a cluster (a separate chunk in the bundle): degraded mode starts without it.
  const { startRuntime } = await import('./boot.ts');
  return startRuntime({ ...deps, kc: loaded.kc, timeoutMs: deps.config.kubeTimeoutSeconds * 1000 });
}
