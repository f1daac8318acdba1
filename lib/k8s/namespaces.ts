/**
 * VDC namespaces: idempotent apply of the namespace, quota and policy (server-side apply, so
 * the same call creates, updates and repairs drift), deletion, and look-ups.
 */
import { PatchStrategy } from '@kubernetes/client-node';
import type { KubeApi } from './api.ts';
import { K8sError } from './errors.ts';
import { FIELD_MANAGER, MANAGED_BY, MANAGED_BY_VALUE, COMPONENT } from './labels.ts';
import { namespaceObject, policyObject, quotaObject, POLICY_NAME, QUOTA_NAME } from './vdc-objects.ts';
import type { vdcs, orgs } from '#db/schema.ts';

type VdcRow = typeof vdcs.$inferSelect;
type OrgRow = typeof orgs.$inferSelect;

const APPLY = { contentType: PatchStrategy.ServerSideApply };

export interface VdcApplyOptions {
  isolation: boolean;
  mhzPerCore: number;
  /** The namespace was created by createVdcNamespace just now: only quota and policy remain. */
  namespaceCreated?: boolean;
}

/**
 * Creates a new VDC's namespace (a plain create, so an existing namespace of that name — another
 * owner's, or one still terminating — is never touched); false when the name is taken. One round
 * trip instead of reading the name first and applying after: the create path of a VDC.
 */
export async function createVdcNamespace(api: KubeApi, vdc: VdcRow, org: OrgRow): Promise<boolean> {
  try {
    await api.call('create', 'namespaces', (opt) => api.core.createNamespace({ body: namespaceObject(vdc, org), fieldManager: FIELD_MANAGER }, opt));
    return true;
  } catch (e) {
    if (e instanceof K8sError && e.kind === 'alreadyExists') return false;
    throw e;
  }
}

/** Creates or updates the namespace, quota and policy of a VDC. */
export async function applyVdcObjects(api: KubeApi, vdc: VdcRow, org: OrgRow, o: VdcApplyOptions): Promise<void> {
  if (!o.namespaceCreated) {
    const ns = namespaceObject(vdc, org);
    const phase = await api.call('patch', 'namespaces', (opt) =>
      api.core.patchNamespace({ name: ns.metadata.name, body: ns, fieldManager: FIELD_MANAGER, force: true }, opt), APPLY);
    if (phase.metadata?.deletionTimestamp) {
      throw new K8sError('conflict', 409, `namespace ${ns.metadata.name} is being deleted`);
    }
  }
  // Quota and policy depend on the namespace only, not on each other: one round trip for both.
  const quota = quotaObject(vdc, o.mhzPerCore);
  const applied: Promise<unknown>[] = [api.call('patch', 'resourcequotas', (opt) =>
    api.core.patchNamespacedResourceQuota({ name: QUOTA_NAME, namespace: vdc.namespace, body: quota, fieldManager: FIELD_MANAGER, force: true }, opt), APPLY)];
  if (o.isolation) {
    const pol = policyObject(vdc);
    applied.push(api.call('patch', 'networkpolicies', (opt) =>
      api.net.patchNamespacedNetworkPolicy({ name: POLICY_NAME, namespace: vdc.namespace, body: pol, fieldManager: FIELD_MANAGER, force: true }, opt), APPLY));
  }
  // allSettled first: a failure must not leave the other call running unobserved.
  const results = await Promise.allSettled(applied);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Asks for the namespace's deletion; true when it is already gone. */
export async function deleteNamespace(api: KubeApi, name: string): Promise<boolean> {
  try {
    await api.call('delete', 'namespaces', (opt) => api.core.deleteNamespace({ name, propagationPolicy: 'Background' }, opt));
    return false;
  } catch (e) {
    if (e instanceof K8sError && e.kind === 'notFound') return true;
    throw e;
  }
}

/** The namespace, or undefined when it does not exist. */
export async function readNamespace(api: KubeApi, name: string) {
  try {
    return await api.call('get', 'namespaces', (opt) => api.core.readNamespace({ name }, opt));
  } catch (e) {
    if (e instanceof K8sError && e.kind === 'notFound') return undefined;
    throw e;
  }
}

/** Namespaces labelled as VDC namespaces of ours. */
export async function listVdcNamespaces(api: KubeApi) {
  const list = await api.call('list', 'namespaces', (opt) =>
    api.core.listNamespace({ labelSelector: `${MANAGED_BY}=${MANAGED_BY_VALUE},${COMPONENT}=vdc` }, opt));
  return list.items;
}

/** The quota's `status.used` of a VDC namespace (empty when unknown). */
export async function readQuotaUsed(api: KubeApi, namespace: string): Promise<Record<string, string>> {
  try {
    const q = await api.call('get', 'resourcequotas', (opt) => api.core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace }, opt));
    return (q.status?.used ?? {}) as Record<string, string>;
  } catch (e) {
    if (e instanceof K8sError && e.kind === 'notFound') return {};
    throw e;
  }
}
