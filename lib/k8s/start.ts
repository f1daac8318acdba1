/**
 * Brings up the embedded Kubernetes integration when a cluster is configured
 * (`SSVIRT_KUBECONFIG`, then in-cluster, then `KUBECONFIG`); none → degraded mode (undefined).
 */
import type { Registry } from 'prom-client';
import type { Config } from '#lib/config.ts';
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { ClusterRuntime } from './runtime.ts';

/** How long start-up waits for the informers' first sync before serving anyway. */
const SYNC_WAIT_MS = 5_000;

/** Starts the cluster side, or returns undefined when no cluster is configured. */
export async function startCluster(deps: { config: Config; db: Db; log: Log; registry?: Registry; env?: NodeJS.ProcessEnv }): Promise<ClusterRuntime | undefined> {
  const loaded = loadKubeConfig(deps.config.kubeconfig, deps.env ?? process.env);
  if (!loaded) {
    deps.log.info('no Kubernetes cluster configured: running in degraded mode');
    return undefined;
  }
  deps.log.info({ source: loaded.source, server: loaded.server }, 'connecting to Kubernetes');
  const runtime = new ClusterRuntime({ kc: loaded.kc, config: deps.config, db: deps.db, log: deps.log, registry: deps.registry });
  const synced = await runtime.waitForSync(SYNC_WAIT_MS);
  if (!synced) deps.log.warn({ health: runtime.health() }, 'informers not synced yet; serving from the database meanwhile');
  return runtime;
}
