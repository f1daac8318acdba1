/**
 * The resources the simulator serves and the facts about each that the rest of the server needs:
 * where it lives in the URL space, whether it behaves like a CustomResource (sorted keys, generation,
 * Status on delete) or a built-in kind, and which subresources it has.
 */

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Served through a CRD: keys sorted, lists always carry `continue`, list items keep kind/apiVersion. */
  crd: boolean;
  /** Has a `status` subresource, so the main resource ignores status writes and vice versa. */
  statusSubresource: boolean;
  /** metadata.generation is kept and bumped on spec changes. */
  generation: boolean;
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
  /** Only fields the real server accepts in field selectors beyond metadata.name/namespace. */
  extraFieldLabels?: string[];
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

const verbsAll = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export const RESOURCES: ResourceDef[] = [
  { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, crd: false, statusSubresource: true, generation: false, shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M=', extraFieldLabels: ['status.phase'] },
  { group: '', version: 'v1', plural: 'resourcequotas', singular: 'resourcequota', kind: 'ResourceQuota', namespaced: true, crd: false, statusSubresource: true, generation: false, shortNames: ['quota'], storageVersionHash: '8uhSgffRX6w=' },
  { group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true, crd: false, statusSubresource: false, generation: false, storageVersionHash: 'S6u1pOWzb84=', extraFieldLabels: ['type'] },
  { group: '', version: 'v1', plural: 'limitranges', singular: 'limitrange', kind: 'LimitRange', namespaced: true, crd: false, statusSubresource: false, generation: false, shortNames: ['limits'], storageVersionHash: 'EBKMFVe6cwo=' },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, crd: false, statusSubresource: false, generation: false, shortNames: ['ev'], storageVersionHash: 'r2yiGXH7wu8=', extraFieldLabels: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'] },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', singular: 'networkpolicy', kind: 'NetworkPolicy', namespaced: true, crd: false, statusSubresource: false, generation: true, shortNames: ['netpol'], storageVersionHash: 'YpfwF18m1G8=' },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true, crd: false, statusSubresource: false, generation: false, storageVersionHash: 'gqkMMb/YqFM=' },
  { group: '', version: 'v1', plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, crd: false, statusSubresource: false, generation: false, shortNames: ['sa'], storageVersionHash: 'pbx9ZvyFpBE=' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false, crd: false, statusSubresource: false, generation: false, storageVersionHash: 'bYE5ZWDrJ44=' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false, crd: false, statusSubresource: false, generation: false, storageVersionHash: '48tpQ8gZHFc=' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', singular: 'role', kind: 'Role', namespaced: true, crd: false, statusSubresource: false, generation: false, storageVersionHash: '7FuwZcIIItM=' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true, crd: false, statusSubresource: false, generation: false, storageVersionHash: 'eGsCzGH6b1g=' },
  { group: 'authorization.k8s.io', version: 'v1', plural: 'subjectaccessreviews', singular: 'subjectaccessreview', kind: 'SubjectAccessReview', namespaced: false, crd: false, statusSubresource: false, generation: false },
  { group: 'authorization.k8s.io', version: 'v1', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview', namespaced: false, crd: false, statusSubresource: false, generation: false },
  { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', singular: 'customresourcedefinition', kind: 'CustomResourceDefinition', namespaced: false, crd: false, statusSubresource: true, generation: true, shortNames: ['crd', 'crds'], categories: ['api-extensions'], storageVersionHash: 'jfWCUB31mvA=' },
  { group: 'template.openshift.io', version: 'v1', plural: 'templates', singular: 'template', kind: 'Template', namespaced: true, crd: true, statusSubresource: false, generation: true, storageVersionHash: 'utuWisMumJk=' },
  { group: 'template.openshift.io', version: 'v1', plural: 'templateinstances', singular: 'templateinstance', kind: 'TemplateInstance', namespaced: true, crd: true, statusSubresource: true, generation: true, storageVersionHash: 'Q8UwfyPqly4=' },
  { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', singular: 'virtualmachine', kind: 'VirtualMachine', namespaced: true, crd: true, statusSubresource: true, generation: true, shortNames: ['vm', 'vms'], categories: ['all'], storageVersionHash: 'v2rohjOGqcY=' },
  { group: 'kubevirt.io', version: 'v1', plural: 'virtualmachineinstances', singular: 'virtualmachineinstance', kind: 'VirtualMachineInstance', namespaced: true, crd: true, statusSubresource: true, generation: true, shortNames: ['vmi', 'vmis'], categories: ['all'], storageVersionHash: 'C2Wm8GIlKGU=' },
  // CDI boot sources and KubeVirt instancetypes, which templates' VMs reference.
  { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datasources', singular: 'datasource', kind: 'DataSource', namespaced: true, crd: true, statusSubresource: true, generation: true, categories: ['all'] },
  { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', singular: 'datavolume', kind: 'DataVolume', namespaced: true, crd: true, statusSubresource: true, generation: true, shortNames: ['dv', 'dvs'], categories: ['all'] },
  { group: 'instancetype.kubevirt.io', version: 'v1beta1', plural: 'virtualmachineclusterinstancetypes', singular: 'virtualmachineclusterinstancetype', kind: 'VirtualMachineClusterInstancetype', namespaced: false, crd: true, statusSubresource: false, generation: true, shortNames: ['vmclusterinstancetype', 'vmclusterinstancetypes', 'vmcf', 'vmcfs'] },
  { group: 'instancetype.kubevirt.io', version: 'v1beta1', plural: 'virtualmachineinstancetypes', singular: 'virtualmachineinstancetype', kind: 'VirtualMachineInstancetype', namespaced: true, crd: true, statusSubresource: false, generation: true, shortNames: ['vminstancetype', 'vminstancetypes', 'vmf', 'vmfs'] },
];

export const RESOURCE_VERBS = verbsAll;

/** subresources.kubevirt.io: an aggregated API in KubeVirt; here actions on stored objects. */
export const KUBEVIRT_SUBRESOURCE_GROUP = 'subresources.kubevirt.io';
export const KUBEVIRT_ACTIONS: Record<string, { target: 'virtualmachines' | 'virtualmachineinstances'; kind: string }> = {
  'virtualmachines/start': { target: 'virtualmachines', kind: 'VirtualMachine' },
  'virtualmachines/stop': { target: 'virtualmachines', kind: 'VirtualMachine' },
  'virtualmachines/restart': { target: 'virtualmachines', kind: 'VirtualMachine' },
  'virtualmachineinstances/pause': { target: 'virtualmachineinstances', kind: 'VirtualMachineInstance' },
  'virtualmachineinstances/unpause': { target: 'virtualmachineinstances', kind: 'VirtualMachineInstance' },
};

const byPath = new Map<string, ResourceDef>();
for (const r of RESOURCES) byPath.set(`${r.group}/${r.version}/${r.plural}`, r);

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

export function resourceByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

export function resourceKey(r: ResourceDef): string {
  return `${r.group}/${r.plural}`;
}
