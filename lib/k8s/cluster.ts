/**
 * The narrow surface the HTTP layer sees of the embedded Kubernetes integration. The
 * implementation lives beside this file; handlers only reach it through `c.var.k8s`.
 */
import type { TemplateSource } from '#lib/catalog/template.ts';
import type { VdcRow } from '#db/queries/vdcs.ts';
import type { OrgRow } from '#db/queries/orgs.ts';
import type { VmRow } from '#db/queries/vms.ts';
import type { InstanceSpec } from './instances.ts';
import type { PowerAction, PowerSent } from './power.ts';

export interface ClusterHealth {
  kubernetes: 'ok' | 'not-configured' | `unreachable: ${string}`;
  informers: 'synced' | 'syncing';
  /**
   * Why informers are not synced, by informer (e.g. a 403 when the ClusterRole lacks list/watch):
   * readiness must name the cause, not only say "syncing".
   */
  informerProblems?: Record<string, string>;
  /** Namespaces labelled as SSVirt VDCs that no row claims (reported, never deleted). */
  unclaimedNamespaces?: string[];
}

export interface NamespaceState {
  exists: boolean;
  /** The `ssvirt.io/vdc-id` label, when the namespace carries one. */
  vdcId?: string;
  terminating?: boolean;
}

import type { BootSourceRef, BootSourceState } from './boot-sources.ts';

export interface Cluster {
  health(): ClusterHealth;
  /**
   * The template cache behind catalog items; undefined (or absent) while it is not available,
   * which the catalog treats as "no templates".
   */
  templates?(): TemplateSource | undefined;
  /** Whether a CDI DataSource can boot a VM now; absent → not checked (no cluster side to ask). */
  bootSource?(ref: BootSourceRef): BootSourceState;

  /** How long a write of a failed call may still land (lib/k8s/late-writes.ts); 0 when unknown. */
  lateWriteMs?: number;
  /** Whether the API server answered the last call (false → 503 CLUSTER_UNAVAILABLE up front). */
  reachable(): boolean;
  /**
   * Creates or updates a VDC's namespace, quota and policy (idempotent); with `namespaceCreated`
   * (createVdcNamespace just made it) only the quota and policy.
   */
  applyVdc(vdc: VdcRow, org: OrgRow, opts?: { namespaceCreated?: boolean }): Promise<void>;
  /** Creates a new VDC's namespace; false when a namespace of that name exists (anyone's). */
  createVdcNamespace?(vdc: VdcRow, org: OrgRow): Promise<boolean>;
  /** Whether a namespace of that name exists in the cluster (ours or not) and whose it is. */
  namespaceState(name: string): Promise<NamespaceState>;
  /** Deletes the VDC's namespace if it carries the VDC's id; true when it is gone (or not ours). */
  deleteVdcNamespace(name: string, vdcId: string): Promise<boolean>;
  /** Whether the VDC namespace is still known to the namespace informer. */
  namespaceCached(name: string): boolean;
  /** `status.used` of the VDC quota, from the informer cache. */
  quotaUsed(namespace: string): Record<string, string> | undefined;
  /**
   * A number that changes whenever cluster state shown in VDC views (quota usage) changes, so a
   * cached VDC page can tell it is still current (lib/http/page-cache.ts). Without it VDC pages
   * are not cached.
   */
  quotaVersion?(): number;
  /** The whole Template object, as instantiation sends it. */
  rawTemplate(namespace: string, name: string): object | undefined;
  /** Creates a vApp's params Secret and TemplateInstance; returns the instance uid. */
  instantiate(spec: InstanceSpec): Promise<string>;
  /**
   * Deletes a vApp's TemplateInstance, owned VMs and params Secret (missing = deleted); returns
   * the instance uid used (read from the instance when not given; null when there was none).
   */
  deleteVappObjects(namespace: string, instanceName: string, instanceUid: string | null): Promise<string | null>;
  /** Whether anything of a vApp remains in the cluster. */
  vappObjectsRemain(namespace: string, instanceName: string, instanceUid: string | null): Promise<boolean>;
  /**
   * Sends a power action (subresource API, or the runStrategy fallback); resolves once the cluster
   * accepted its first call, with the rest of the action still settling.
   */
  power(vm: VmRow, action: PowerAction): Promise<PowerSent>;
  /** Recomputes a vApp's status from the caches (after its row leaves CREATING). */
  refreshVapp?(vappId: string): void;
  /** Subscribes to VM row changes written by the status sync; returns the unsubscribe. */
  onVmChange(listener: (vm: VmRow) => void): () => void;
}
