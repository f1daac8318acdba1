/**
 * The running Kubernetes side: one KubeApi, the informers (namespaces, quotas, templates,
 * TemplateInstances, VirtualMachines, VirtualMachineInstances, DataSources, instancetypes), the status sync, the power-mode
 * detection and a health probe. Handlers reach it as `c.var.k8s`.
 */
import { VersionApi, type KubeConfig, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { Db } from '#db/client.ts';
import type { Log } from '#lib/log.ts';
import type { Config } from '#lib/config.ts';
import { KubeApi } from './api.ts';
import { K8sMetrics } from './metrics.ts';
import { startInformer, type SupervisedInformer } from './informer.ts';
import { StatusSync } from './status-sync.ts';
import { classify, K8sError } from './errors.ts';
import { COMPONENT, L_VDC_ID, MANAGED_BY, MANAGED_BY_VALUE, TI_OWNER } from './labels.ts';
import { detectPowerMode, sendPowerAction, type PowerAction, type PowerMode, type PowerSent } from './power.ts';
import { applyVdcObjects, createVdcNamespace, deleteNamespace, readNamespace } from './namespaces.ts';
import { createInstance, deleteInstanceObjects, instanceObjectsRemain, type InstanceSpec } from './instances.ts';
import { QUOTA_NAME } from './vdc-objects.ts';
import type { VdcRow } from '#db/queries/vdcs.ts';
import type { OrgRow } from '#db/queries/orgs.ts';
import type { VmRow } from '#db/queries/vms.ts';
import type { Cluster, ClusterHealth, NamespaceState } from './cluster.ts';
import type { VappRow } from '#db/queries/vapps.ts';
import type { TemplateSource } from '#lib/catalog/template.ts';
import { TemplateCache } from './templates.ts';
import { INSTANCETYPE_KIND, type InstancetypeRef } from './instancetypes.ts';
import { dataSourceState, type BootSourceRef, type BootSourceState } from './boot-sources.ts';
import { listInPages, type PageRequest } from './paged-list.ts';
import type { Reconciler } from './reconciler.ts';

type Obj = KubernetesObject & Record<string, any>;

export interface RuntimeOptions {
  kc: KubeConfig;
  config: Config;
  db: Db;
  log: Log;
  registry?: Registry;
  /** Per-call timeout (ms). */
  timeoutMs?: number;
  /** Called when a vApp's instance or VMs disappeared (deletion may be complete). */
  onVappSettled?: (vapp: VappRow) => void;
  /** Called when a VDC namespace disappeared or changed. */
  onNamespace?: (type: 'add' | 'update' | 'delete', ns: Obj) => void;
}

export class ClusterRuntime implements Cluster {
  readonly api: KubeApi;
  readonly metrics?: K8sMetrics;
  readonly sync: StatusSync;
  readonly namespaces: SupervisedInformer<Obj>;
  readonly quotas: SupervisedInformer<Obj>;
  readonly templatesInformer: SupervisedInformer<Obj>[];
  readonly instances: SupervisedInformer<Obj>;
  /** See lib/k8s/late-writes.ts. */
  readonly lateWriteMs: number;
  readonly vms: SupervisedInformer<Obj>;
  readonly vmis: SupervisedInformer<Obj>;
  /** CDI DataSources (boot sources of templates), cluster-wide. */
  readonly dataSources: SupervisedInformer<Obj>;
  /** KubeVirt instancetypes (CPU and memory of VMs that reference one), cluster-wide. */
  readonly clusterInstancetypes: SupervisedInformer<Obj>;
  readonly namespacedInstancetypes: SupervisedInformer<Obj>;
  private powerModeValue: PowerMode | undefined;
  private lastProblem: string | undefined;
  private outageSince: number | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private quotaChanges = 0;

  constructor(private o: RuntimeOptions) {
    this.metrics = o.registry ? new K8sMetrics(o.registry) : undefined;
    this.api = new KubeApi(o.kc, { timeoutMs: o.timeoutMs ?? 10_000, metrics: this.metrics });
    this.lateWriteMs = 2 * (o.timeoutMs ?? 10_000);
    const c = this.api.custom;
    const base = { kc: o.kc, log: o.log, metrics: this.metrics };
    const ours = `${MANAGED_BY}=${MANAGED_BY_VALUE}`;
    const list = <T>(verb: string, resource: string, fn: (opt: object, page: PageRequest) => Promise<unknown>) =>
      () => listInPages((page) => this.api.call(verb, resource, (opt) => fn(opt, page)) as Promise<KubernetesListObject<T & Obj>>);

    this.sync = new StatusSync(o.db, o.log, {
      instance: (ns, name) => this.instances.get(name, ns),
      vm: (ns, name) => this.vms.get(name, ns),
      vmi: (ns, name) => this.vmis.get(name, ns),
      instancesSynced: () => this.instances.synced(),
      instancetype: (ref) => this.instancetype(ref),
    }, (v) => o.onVappSettled?.(v));

    this.namespaces = startInformer<Obj>({
      ...base, name: 'namespaces', path: '/api/v1/namespaces', labelSelector: `${ours},${COMPONENT}=vdc`,
      list: list('list', 'namespaces', (opt, page) => this.api.core.listNamespace({ labelSelector: `${ours},${COMPONENT}=vdc`, ...page }, opt)),
      onEvent: (t, ns) => o.onNamespace?.(t, ns),
    });
    this.quotas = startInformer<Obj>({
      ...base, name: 'resourcequotas', path: '/api/v1/resourcequotas', labelSelector: ours,
      list: list('list', 'resourcequotas', (opt, page) => this.api.core.listResourceQuotaForAllNamespaces({ labelSelector: ours, ...page }, opt)),
      onEvent: () => { this.quotaChanges++; },
    });
    this.templatesInformer = o.config.templateNamespaces.map((ns) => startInformer<Obj>({
      ...base, name: `templates:${ns}`, path: `/apis/template.openshift.io/v1/namespaces/${ns}/templates`,
      labelSelector: o.config.templateSelector || undefined,
      list: list('list', 'templates', (opt, page) => c.listNamespacedCustomObject({ group: 'template.openshift.io', version: 'v1', namespace: ns, plural: 'templates', labelSelector: o.config.templateSelector || undefined, ...page }, opt)),
      onEvent: () => this.templatesChanged(),
      onSynced: () => this.templatesChanged(),
    }));
    this.instances = startInformer<Obj>({
      ...base, name: 'templateinstances', path: '/apis/template.openshift.io/v1/templateinstances', labelSelector: ours,
      list: list('list', 'templateinstances', (opt, page) => c.listClusterCustomObject({ group: 'template.openshift.io', version: 'v1', plural: 'templateinstances', labelSelector: ours, ...page }, opt)),
      onEvent: (t, ti) => this.sync.instanceEvent(t, ti),
    });
    this.vms = startInformer<Obj>({
      ...base, name: 'virtualmachines', path: '/apis/kubevirt.io/v1/virtualmachines', labelSelector: TI_OWNER,
      list: list('list', 'virtualmachines', (opt, page) => c.listClusterCustomObject({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', labelSelector: TI_OWNER, ...page }, opt)),
      onEvent: (t, vm) => this.sync.vmEvent(t, vm),
    });
    this.vmis = startInformer<Obj>({
      ...base, name: 'virtualmachineinstances', path: '/apis/kubevirt.io/v1/virtualmachineinstances',
      list: list('list', 'virtualmachineinstances', (opt, page) => c.listClusterCustomObject({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', ...page }, opt)),
      onEvent: (t, vmi) => this.sync.vmiEvent(t, vmi),
    });
    this.dataSources = startInformer<Obj>({
      ...base, name: 'datasources', path: '/apis/cdi.kubevirt.io/v1beta1/datasources',
      list: list('list', 'datasources', (opt, page) => c.listClusterCustomObject({ group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources', ...page }, opt)),
      onEvent: () => this.templatesChanged(),
      onSynced: () => this.templatesChanged(),
    });
    const instancetypeInformer = (plural: string) => startInformer<Obj>({
      ...base, name: plural, path: `/apis/instancetype.kubevirt.io/v1beta1/${plural}`,
      list: list('list', plural, (opt, page) => c.listClusterCustomObject({ group: 'instancetype.kubevirt.io', version: 'v1beta1', plural, ...page }, opt)),
      onEvent: (_t, it) => this.instancetypeChanged(it),
      onSynced: () => this.instancetypeChanged(),
    });
    this.clusterInstancetypes = instancetypeInformer('virtualmachineclusterinstancetypes');
    this.namespacedInstancetypes = instancetypeInformer('virtualmachineinstancetypes');
    this.probe();
  }

  /**
   * Catalog sizes follow at once; VM rows that use the instancetype (or all that use one, after a
   * (re)list) are re-derived, since a stopped VM may see no event of its own for a long time.
   */
  private instancetypeChanged(it?: Obj): void {
    this.templatesChanged();
    if (!this.vms?.synced()) return;
    for (const vm of this.vms.list()) {
      const ref = vm.spec?.instancetype;
      if (ref && (!it || ref.name === it.metadata?.name)) this.sync.vmEvent('update', vm);
    }
  }

  /** The instancetype a VM references, from the informer caches (undefined when unknown). */
  instancetype(ref: InstancetypeRef): Obj | undefined {
    return ref.kind === INSTANCETYPE_KIND.cluster
      ? this.clusterInstancetypes.get(ref.name)
      : ref.namespace ? this.namespacedInstancetypes.get(ref.name, ref.namespace) : undefined;
  }

  /** Whether the DataSource `ref` can boot a VM now (from the informer cache). */
  bootSource(ref: BootSourceRef): BootSourceState {
    if (!this.dataSources.synced()) {
      const why = this.dataSources.problem();
      return { ready: false, reason: `boot source DataSource ${ref.namespace}/${ref.name} cannot be checked: ${why ? `listing DataSources failed (${why})` : 'DataSources not listed yet'}` };
    }
    return dataSourceState(ref, this.dataSources.get(ref.name, ref.namespace));
  }

  private readonly templateCache = new TemplateCache(() => this.templatesInformer.flatMap((i) => i.list()), (ref) => this.bootSource(ref), (ref) => this.instancetype(ref));
  private templatesChanged() {
    this.templateCache?.invalidate();
  }

  /** The catalog's template cache (empty until the template informers have synced). */
  templates(): TemplateSource {
    return this.templateCache;
  }

  /** The raw Template object (instantiation sends it whole), from the informer cache. */
  rawTemplate(namespace: string, name: string): Obj | undefined {
    return this.templatesInformer.map((i) => i.get(name, namespace)).find(Boolean);
  }

  /** Every informer, for readiness and shutdown. */
  private all(): SupervisedInformer<Obj>[] {
    return [this.namespaces, this.quotas, ...this.templatesInformer, this.instances, this.vms, this.vmis, this.dataSources, this.clusterInstancetypes, this.namespacedInstancetypes];
  }

  /** Waits (bounded) for the first sync of every informer. */
  async waitForSync(timeoutMs: number): Promise<boolean> {
    const r = await Promise.all(this.all().map((i) => i.waitForSync(timeoutMs)));
    return r.every(Boolean);
  }

  health(): ClusterHealth {
    const h: ClusterHealth = {
      kubernetes: this.lastProblem ? `unreachable: ${this.lastProblem}` : 'ok',
      informers: this.all().every((i) => i.synced()) ? 'synced' : 'syncing',
    };
    const problems = Object.fromEntries(this.all().flatMap((i) => {
      const p = i.problem();
      return p ? [[i.name, p]] : [];
    }));
    if (Object.keys(problems).length) h.informerProblems = problems;
    const unclaimed = this.reconciler?.unclaimed ?? [];
    if (unclaimed.length) h.unclaimedNamespaces = unclaimed;
    return h;
  }

  /** The reconciler bound to this runtime (stopped with it, reported in health). */
  reconciler: Reconciler | undefined;

  /** MHz per core for quota conversion (the reconciler compares quotas with it). */
  get cpuMhzPerCore(): number {
    return this.o.config.cpuMhzPerCore;
  }

  /** Whether calls can be expected to work right now. */
  reachable(): boolean {
    return !this.lastProblem;
  }

  /** Records the outcome of a call made on a user's behalf, so /readyz follows reality. */
  noteOutcome(e: unknown | undefined): void {
    if (e === undefined) { this.setProblem(undefined); return; }
    const k = classify(e);
    if (k.kind === 'unavailable' || k.kind === 'timeout') {
      this.setProblem(k.message);
      this.scheduleProbe(500);
    }
  }

  /**
   * Records reachability. An outage is logged once when it starts and once when it ends: during
   * one, every request that needs the cluster answers 503, and logging each of those as an error
   * buried the one line that matters (issue: thousands of lines per outage).
   */
  private setProblem(problem: string | undefined): void {
    if (problem && this.outageSince === undefined) {
      this.outageSince = Date.now();
      this.o.log.error({ problem }, 'Kubernetes API unreachable; requests that need the cluster answer 503 until it is back');
    } else if (!problem && this.outageSince !== undefined) {
      this.o.log.info({ downForMs: Date.now() - this.outageSince }, 'Kubernetes API reachable again');
      this.outageSince = undefined;
    }
    this.lastProblem = problem;
  }

  /** The power mode, detected once (retried until discovery answers). */
  async powerMode(): Promise<PowerMode> {
    this.powerModeValue ??= await detectPowerMode(this.api);
    return this.powerModeValue;
  }

  private probeRun: (() => Promise<void>) | undefined;
  private scheduleProbe(ms: number) {
    if (this.stopped || !this.probeRun) return;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.probeRun?.(), ms);
    this.probeTimer.unref();
  }

  private probe() {
    const versionApi = this.o.kc.makeApiClient(VersionApi);
    const run = this.probeRun = async () => {
      try {
        await this.api.call('get', 'version', (opt) => versionApi.getCode(opt));
        this.setProblem(undefined);
        if (!this.powerModeValue) this.powerModeValue = await detectPowerMode(this.api).catch(() => undefined);
      } catch (e) {
        this.setProblem(e instanceof K8sError ? e.message : String(e));
      }
      this.scheduleProbe(this.lastProblem ? 2_000 : 10_000);
    };
    void run();
  }

  // ---- operations for the HTTP layer (each records reachability for /readyz) ----

  private async track<T>(p: Promise<T>): Promise<T> {
    try {
      const out = await p;
      this.noteOutcome(undefined);
      return out;
    } catch (e) {
      this.noteOutcome(e);
      throw e;
    }
  }

  /** Creates or updates a VDC's namespace, quota and policy. */
  applyVdc(vdc: VdcRow, org: OrgRow, opts: { namespaceCreated?: boolean } = {}): Promise<void> {
    return this.track(applyVdcObjects(this.api, vdc, org, { isolation: this.o.config.vdcNetworkIsolation, mhzPerCore: this.o.config.cpuMhzPerCore, ...opts }));
  }

  /** Creates a new VDC's namespace; false when the name is taken in the cluster. */
  createVdcNamespace(vdc: VdcRow, org: OrgRow): Promise<boolean> {
    return this.track(createVdcNamespace(this.api, vdc, org));
  }

  /** Whether a namespace of that name exists, which VDC it carries, whether it is terminating. */
  async namespaceState(name: string): Promise<NamespaceState> {
    const ns = await this.track(readNamespace(this.api, name));
    if (!ns) return { exists: false };
    return { exists: true, vdcId: ns.metadata?.labels?.[L_VDC_ID], terminating: !!ns.metadata?.deletionTimestamp };
  }

  /**
   * Asks for a VDC namespace's deletion; true when it is gone. A namespace of that name that does
   * not carry this VDC's id is not ours: it is left alone and counts as gone for this VDC.
   */
  async deleteVdcNamespace(name: string, vdcId: string): Promise<boolean> {
    const ns = await this.track(readNamespace(this.api, name));
    if (!ns || ns.metadata?.labels?.[L_VDC_ID] !== vdcId) return true;
    return this.track(deleteNamespace(this.api, name));
  }

  /** Whether the namespace is still in the informer cache (i.e. not gone yet). */
  namespaceCached(name: string): boolean {
    return this.namespaces.get(name) !== undefined;
  }

  /** `status.used` of a VDC's quota, from the cache. */
  quotaUsed(namespace: string): Record<string, string> | undefined {
    return this.quotas.get(QUOTA_NAME, namespace)?.status?.used;
  }

  /** Counts quota events (adds, updates, deletes, re-lists), so cached VDC pages see usage changes. */
  quotaVersion(): number {
    return this.quotaChanges;
  }

  /** Creates a vApp's Secret and TemplateInstance; returns the instance uid. */
  async instantiate(spec: InstanceSpec): Promise<string> {
    const uid = await this.track(createInstance(this.api, spec));
    this.sync.rememberInstance(uid, spec.vappId);
    // VMs may already have been reported before the uid was known: look at them again.
    for (const vm of this.vms.list(spec.namespace)) {
      if (vm.metadata?.labels?.[TI_OWNER] === uid) this.sync.vmEvent('update', vm);
    }
    return uid;
  }

  /** Deletes a vApp's instance, owned VMs and params Secret. */
  deleteVappObjects(namespace: string, instanceName: string, instanceUid: string | null): Promise<string | null> {
    return this.track(deleteInstanceObjects(this.api, namespace, instanceName, instanceUid));
  }

  /** Whether anything of a vApp remains in the cluster. */
  vappObjectsRemain(namespace: string, instanceName: string, instanceUid: string | null): Promise<boolean> {
    return this.track(instanceObjectsRemain(this.api, namespace, instanceName, instanceUid));
  }

  /** Sends a power action for a VM row. */
  async power(vm: VmRow, action: PowerAction): Promise<PowerSent> {
    const mode = await this.track(this.powerMode());
    return this.track(sendPowerAction(this.api, mode, vm.namespace, vm.name, action, vm.status));
  }

  /** Recomputes a vApp's status from the caches and its VM rows. */
  refreshVapp(vappId: string): void {
    this.sync.refreshVapp(vappId);
  }

  /** Subscribes to VM row changes made by the status sync. */
  onVmChange(listener: (vm: VmRow) => void): () => void {
    return this.sync.onVm(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    await this.reconciler?.stop();
    await Promise.all(this.all().map((i) => i.stop().catch(() => undefined)));
    this.api.close();
  }
}
