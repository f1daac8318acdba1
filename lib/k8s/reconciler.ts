/**
 * The reconciler (docs/architecture.md "Reconciler"): drives every row to its desired state — at start, periodically
 * and when watch events say something changed. It finishes VDCs left CREATING or PENDING_CLUSTER,
 * recreates objects deleted out of band, re-applies drifted labels and quotas, completes
 * deletions, undoes vApps left CREATING and removes instances no vApp row claims
 * (lib/vapps/repair.ts), and reports namespaces labelled as ours that no row claims (never
 * deleting them).
 */
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import { eq } from 'drizzle-orm';
import { vdcs, orgs } from '#db/schema.ts';
import { vmCountsByStatus } from '#db/queries/vms.ts';
import { allVapps, vappCountsByStatus } from '#db/queries/vapps.ts';
import { updateVdc, type VdcRow } from '#db/queries/vdcs.ts';
import { claimNamespaceName, finishVdcDeletion, provisionVdc } from '#lib/vdcs/provision.ts';
import { VAPP_STATUS, VDC_STATUS } from '#db/status.ts';
import { pruneTasks } from '#lib/tasks/service.ts';
import { repairVapp, sweepOrphanInstances } from '#lib/vapps/repair.ts';
import type { ClusterRuntime } from './runtime.ts';
import { namespaceAnnotations, namespaceLabels, quotaHard } from './vdc-objects.ts';
import { isUnavailable } from './errors.ts';
import { L_VAPP_ID, L_VDC_ID } from './labels.ts';
import { sameQuantity } from './quantity.ts';

/**
 * Rows this process wrote less than this ago in CREATING belong to a request still in flight.
 * Rows written before this process started cannot be (one pod, strategy Recreate).
 */
const IN_FLIGHT_MS = 30_000;

export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Namespaces labelled as ours that no VDC row claims (for /readyz and the metric). */
  unclaimed: string[] = [];

  constructor(
    private db: Db,
    private k8s: ClusterRuntime,
    private log: Log,
    private opts: { intervalMs: number; now?: () => number },
  ) {
    this.startedAt = this.now();
  }

  private readonly startedAt: number;

  private inFlight(updatedAt: number): boolean {
    return updatedAt >= this.startedAt && this.now() - updatedAt < IN_FLIGHT_MS;
  }

  /** Runs now and then every interval. */
  /** Starts the periodic passes; resolves when the first one is done. */
  start(): Promise<void> {
    const first = this.trigger();
    this.timer = setInterval(() => void this.trigger(), this.opts.intervalMs);
    this.timer.unref();
    return first;
  }

  /** Asks for a pass; passes never overlap (a request during a pass runs one more after it). */
  trigger(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private now() {
    return (this.opts.now ?? Date.now)();
  }

  /** One pass over every row. Failures are logged and counted; the next pass retries. */
  async pass(): Promise<void> {
    const m = this.k8s.metrics;
    if (!this.k8s.reachable() || this.k8s.health().informers !== 'synced') {
      m?.reconcileRuns.inc({ outcome: 'skipped' });
      return;
    }
    let failed = false;
    const rows = this.db.select({ vdc: vdcs, org: orgs }).from(vdcs).innerJoin(orgs, eq(orgs.id, vdcs.orgId)).all();
    for (const { vdc, org } of rows) {
      try {
        const repaired = await this.reconcileVdc(vdc, org);
        if (repaired) m?.reconcileRepairs.inc({ kind: repaired });
      } catch (e) {
        failed = true;
        this.log.warn({ vdc: vdc.id, err: (e as Error).message }, 'reconcile VDC failed');
        if (isUnavailable(e)) break;
      }
    }
    for (const vapp of allVapps(this.db)) {
      try {
        if (vapp.status === VAPP_STATUS.creating || vapp.status === VAPP_STATUS.deleting) {
          if (vapp.status === VAPP_STATUS.creating && this.inFlight(vapp.updatedAt)) continue;
          if (await repairVapp(this.db, this.k8s, this.log, vapp, this.now())) m?.reconcileRepairs.inc({ kind: `vapp-${vapp.status.toLowerCase()}` });
        } else {
          this.k8s.sync.refreshVapp(vapp.id);
        }
      } catch (e) {
        failed = true;
        this.log.warn({ vapp: vapp.id, err: (e as Error).message }, 'reconcile vApp failed');
        if (isUnavailable(e)) break;
      }
    }
    if (!failed) {
      try {
        const ours = new Set(rows.filter((r) => r.vdc.status !== VDC_STATUS.pendingCluster).map((r) => r.vdc.namespace));
        const n = await sweepOrphanInstances(this.db, this.k8s, this.log, this.k8s.instances.list(), ours, L_VAPP_ID);
        if (n) m?.reconcileRepairs.inc({ kind: 'vapp-orphan-instance' }, n);
      } catch (e) {
        failed = true;
        this.log.warn({ err: (e as Error).message }, 'removing unclaimed TemplateInstances failed');
      }
    }
    this.reportUnclaimed();
    this.updateGauges();
    pruneTasks(this.db, this.now());
    m?.reconcileRuns.inc({ outcome: failed ? 'error' : 'ok' });
  }

  /** Drives one VDC; returns the kind of repair made, if any. */
  private async reconcileVdc(vdc: VdcRow, org: typeof orgs.$inferSelect): Promise<string | undefined> {
    const now = this.now();
    switch (vdc.status) {
      case VDC_STATUS.pendingCluster:
      case VDC_STATUS.creating: {
        if (vdc.status === VDC_STATUS.creating && this.inFlight(vdc.updatedAt)) return undefined;
        await claimNamespaceName(this.db, this.k8s, vdc.id, org.name);
        await provisionVdc(this.db, this.k8s, vdc.id, now);
        return vdc.status === VDC_STATUS.creating ? 'vdc-finish-create' : 'vdc-provision';
      }
      case VDC_STATUS.deleting: {
        await this.k8s.deleteVdcNamespace(vdc.namespace, vdc.id);
        return (await finishVdcDeletion(this.db, this.k8s, vdc)) ? 'vdc-finish-delete' : undefined;
      }
      default: {
        const drift = this.vdcDrift(vdc, org);
        if (!drift && !vdc.needsReconcile) return undefined;
        await provisionVdc(this.db, this.k8s, vdc.id, now);
        if (vdc.status !== VDC_STATUS.ready) updateVdc(this.db, vdc.id, { status: VDC_STATUS.ready });
        return drift ?? 'vdc-pending-update';
      }
    }
  }

  /** What differs between the cluster (caches) and the row: a missing namespace, labels, quota. */
  private vdcDrift(vdc: VdcRow, org: typeof orgs.$inferSelect): string | undefined {
    const ns = this.k8s.namespaces.get(vdc.namespace);
    if (!ns) return 'vdc-namespace-recreated';
    const labels = ns.metadata?.labels ?? {};
    const ann = ns.metadata?.annotations ?? {};
    for (const [k, v] of Object.entries(namespaceLabels(vdc, org))) if (labels[k] !== v) return 'vdc-labels';
    for (const [k, v] of Object.entries(namespaceAnnotations(vdc, org))) if (ann[k] !== v) return 'vdc-labels';
    const quota = this.k8s.quotas.get('vdc-quota', vdc.namespace);
    if (!quota) return 'vdc-quota-recreated';
    const want = quotaHard(vdc, this.k8s.cpuMhzPerCore);
    const have: Record<string, string> = quota.spec?.hard ?? {};
    const keys = new Set([...Object.keys(want), ...Object.keys(have)]);
    for (const k of keys) if (!sameQuantity(want[k], have[k])) return 'vdc-quota';
    return undefined;
  }

  /**
   * Namespaces labelled as ours that no VDC row claims. The cache is read before the rows: a VDC
   * created meanwhile commits its row before its namespace exists, so it is seen as claimed (read
   * the other way round, every VDC created during a pass was reported). A terminating namespace
   * is one whose VDC was deleted: going, not unclaimed.
   */
  private reportUnclaimed() {
    const namespaces = this.k8s.namespaces.list().filter((ns) => !ns.metadata?.deletionTimestamp && ns.status?.phase !== 'Terminating');
    const rows = this.db.select({ id: vdcs.id, namespace: vdcs.namespace }).from(vdcs).all();
    const ids = new Set(rows.map((r) => r.id));
    const names = new Set(rows.map((r) => r.namespace));
    this.unclaimed = namespaces
      .filter((ns) => !names.has(ns.metadata?.name ?? '') && !ids.has(ns.metadata?.labels?.[L_VDC_ID] ?? ''))
      .map((ns) => ns.metadata!.name!)
      .sort();
    this.k8s.metrics?.unclaimedNamespaces.set(this.unclaimed.length);
    if (this.unclaimed.length) this.log.warn({ namespaces: this.unclaimed }, 'namespaces labelled as SSVirt VDCs that no VDC row claims (left untouched)');
  }

  private updateGauges() {
    const m = this.k8s.metrics;
    if (!m) return;
    m.vms.reset();
    for (const r of vmCountsByStatus(this.db)) m.vms.set({ status: r.status }, r.n);
    m.vapps.reset();
    for (const r of vappCountsByStatus(this.db)) m.vapps.set({ status: r.status }, r.n);
  }
}

