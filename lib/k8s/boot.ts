/**
 * Starts the ClusterRuntime and its reconciler for a KubeConfig. Kept apart from start.ts so the
 * client library is loaded only when a cluster is configured.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Config } from '#lib/config.ts';
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import { ClusterRuntime } from './runtime.ts';
import { Reconciler } from './reconciler.ts';
import { finishVappDeletion } from '#lib/vapps/finish-delete.ts';
import { taskTracker } from '#lib/power/tracker.ts';
import { collectGarbage } from '#lib/memory.ts';
import { VAPP_STATUS } from '#db/status.ts';

/** How long start-up waits for the informers' first sync before serving anyway. */
const SYNC_WAIT_MS = 5_000;

/** Builds the runtime and its reconciler for a KubeConfig (also used by tests). */
export async function startRuntime(deps: { kc: KubeConfig; config: Config; db: Db; log: Log; registry?: Registry; timeoutMs?: number }): Promise<ClusterRuntime> {
  let reconciler: Reconciler | undefined;
  const runtime = new ClusterRuntime({
    kc: deps.kc, config: deps.config, db: deps.db, log: deps.log, registry: deps.registry, timeoutMs: deps.timeoutMs,
    onNamespace: (type) => { if (type === 'delete') void reconciler?.trigger(); },
    onVappSettled: (vapp) => {
      if (vapp.status !== VAPP_STATUS.deleting) return;
      finishVappDeletion(deps.db, runtime, vapp).then((gone) => { if (!gone) void reconciler?.trigger(); }, () => void reconciler?.trigger());
    },
  });
  const synced = await runtime.waitForSync(SYNC_WAIT_MS);
  if (!synced) deps.log.warn({ health: runtime.health() }, 'informers not synced yet; serving from the database meanwhile');

  reconciler = new Reconciler(deps.db, runtime, deps.log, { intervalMs: deps.config.reconcileIntervalSeconds * 1000 });
  runtime.reconciler = reconciler;
  const firstPass = reconciler.start();
  // The first lists, the status pass over every VM and the first reconcile pass are the start-up
  // burst: drop its garbage once they are done rather than keep it resident until allocation
  // pressure comes (measured: ~45 MB with 10,000 VMs).
  if (synced) void firstPass.then(() => collectGarbage(), () => undefined);
  // Power and deletion tasks left running by a previous process: end the overdue, watch the rest.
  taskTracker(runtime, { db: deps.db, log: deps.log, taskTimeoutSeconds: deps.config.taskTimeoutSeconds }).resume();
  return runtime;
}
