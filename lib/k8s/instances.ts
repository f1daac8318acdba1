/**
 * vApps as TemplateInstances (docs/kubernetes.md "vApp → TemplateInstance"): the params Secret, the
 * instance, then the Secret's ownerReference so the garbage collector removes it with the
 * instance; and deletion in the documented order.
 */
import { PatchStrategy } from '@kubernetes/client-node';
import type { KubeApi } from './api.ts';
import { K8sError } from './errors.ts';
import * as L from './labels.ts';
import { toUrn } from '#lib/urn.ts';

const TI = { group: 'template.openshift.io', version: 'v1', plural: 'templateinstances' } as const;
const VM = { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines' } as const;

export interface InstanceSpec {
  namespace: string;
  instanceName: string;
  vappId: string;
  vappName: string;
  vdcId: string;
  templateNamespace: string;
  templateName: string;
  /** The whole Template object as read from the cache. */
  template: object;
  parameters: Record<string, string>;
}

export const secretName = (instanceName: string) => `${instanceName}-params`;

/** Creates (or finds) the Secret and TemplateInstance of a vApp; returns the instance uid. */
export async function createInstance(api: KubeApi, s: InstanceSpec): Promise<string> {
  const labels = { [L.MANAGED_BY]: L.MANAGED_BY_VALUE, [L.L_VAPP_ID]: s.vappId };
  const secret = {
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name: secretName(s.instanceName), namespace: s.namespace, labels },
    type: 'Opaque',
    stringData: s.parameters,
  };
  await ignoreExists(api.call('create', 'secrets', (opt) => api.core.createNamespacedSecret({ namespace: s.namespace, body: secret }, opt)));
  const ti = {
    apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance',
    metadata: {
      name: s.instanceName, namespace: s.namespace,
      labels: { ...labels, [L.L_VDC_ID]: s.vdcId, [L.L_TEMPLATE]: L.labelValue(s.templateName) },
      annotations: { [L.A_VAPP_URN]: toUrn('vapp', s.vappId), [L.A_VAPP_NAME]: s.vappName, [L.A_TEMPLATE_NS]: s.templateNamespace },
    },
    spec: { template: s.template, secret: { name: secretName(s.instanceName) } },
  };
  let created: { metadata?: { uid?: string; labels?: Record<string, string> } };
  try {
    created = await api.call('create', 'templateinstances', (opt) =>
      api.custom.createNamespacedCustomObject({ ...TI, namespace: s.namespace, body: ti }, opt)) as typeof created;
  } catch (e) {
    if (!(e instanceof K8sError && e.kind === 'alreadyExists')) throw e;
    created = await api.call('get', 'templateinstances', (opt) =>
      api.custom.getNamespacedCustomObject({ ...TI, namespace: s.namespace, name: s.instanceName }, opt)) as typeof created;
    if (created.metadata?.labels?.[L.L_VAPP_ID] !== s.vappId) {
      throw new K8sError('alreadyExists', 409, `a TemplateInstance named ${s.instanceName} already exists in ${s.namespace}`);
    }
  }
  const uid = created.metadata?.uid;
  if (!uid) throw new K8sError('invalid', undefined, 'the TemplateInstance came back without a uid');
  await api.call('patch', 'secrets', (opt) =>
    api.core.patchNamespacedSecret({
      name: secretName(s.instanceName), namespace: s.namespace,
      body: { metadata: { ownerReferences: [{ apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', name: s.instanceName, uid }] } },
    }, opt), { contentType: PatchStrategy.MergePatch });
  return uid;
}

/**
 * Deletes a vApp's objects: the instance (Foreground), any VM still labelled with its owner uid,
 * and the params Secret. Missing objects count as deleted. Without a known uid (a row left
 * CREATING by a crash) the instance is read first so its VMs can still be found; the uid used
 * is returned (null when there was no instance).
 */
export async function deleteInstanceObjects(api: KubeApi, namespace: string, instanceName: string, instanceUid: string | null): Promise<string | null> {
  instanceUid ??= await instanceUidOf(api, namespace, instanceName);
  await ignoreMissing(api.call('delete', 'templateinstances', (opt) =>
    api.custom.deleteNamespacedCustomObject({ ...TI, namespace, name: instanceName, propagationPolicy: 'Foreground' }, opt)));
  if (instanceUid) {
    const vms = await api.call('list', 'virtualmachines', (opt) =>
      api.custom.listNamespacedCustomObject({ ...VM, namespace, labelSelector: `${L.TI_OWNER}=${instanceUid}` }, opt)) as { items?: { metadata?: { name?: string } }[] };
    for (const vm of vms.items ?? []) {
      const name = vm.metadata?.name;
      if (name) await ignoreMissing(api.call('delete', 'virtualmachines', (opt) => api.custom.deleteNamespacedCustomObject({ ...VM, namespace, name }, opt)));
    }
  }
  await ignoreMissing(api.call('delete', 'secrets', (opt) => api.core.deleteNamespacedSecret({ name: secretName(instanceName), namespace }, opt)));
  return instanceUid;
}

async function instanceUidOf(api: KubeApi, namespace: string, name: string): Promise<string | null> {
  try {
    const ti = await api.call('get', 'templateinstances', (opt) => api.custom.getNamespacedCustomObject({ ...TI, namespace, name }, opt)) as { metadata?: { uid?: string } };
    return ti.metadata?.uid ?? null;
  } catch (e) {
    if (e instanceof K8sError && e.kind === 'notFound') return null;
    throw e;
  }
}

/** Whether anything of a vApp is still in the cluster (instance, secret or owned VMs). */
export async function instanceObjectsRemain(api: KubeApi, namespace: string, instanceName: string, instanceUid: string | null): Promise<boolean> {
  const exists = async (p: Promise<unknown>) => { try { await p; return true; } catch (e) { if (e instanceof K8sError && e.kind === 'notFound') return false; throw e; } };
  if (await exists(api.call('get', 'templateinstances', (opt) => api.custom.getNamespacedCustomObject({ ...TI, namespace, name: instanceName }, opt)))) return true;
  if (await exists(api.call('get', 'secrets', (opt) => api.core.readNamespacedSecret({ name: secretName(instanceName), namespace }, opt)))) return true;
  if (!instanceUid) return false;
  const vms = await api.call('list', 'virtualmachines', (opt) =>
    api.custom.listNamespacedCustomObject({ ...VM, namespace, labelSelector: `${L.TI_OWNER}=${instanceUid}` }, opt)) as { items?: unknown[] };
  return (vms.items?.length ?? 0) > 0;
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try { await p; } catch (e) { if (!(e instanceof K8sError && e.kind === 'notFound')) throw e; }
}

async function ignoreExists(p: Promise<unknown>): Promise<void> {
  try { await p; } catch (e) { if (!(e instanceof K8sError && e.kind === 'alreadyExists')) throw e; }
}
