/**
 * The cluster objects of a VDC (docs/kubernetes.md "VDC → namespace"), built from its row: the
 * Namespace with our labels and annotations, the `vdc-quota` ResourceQuota, the `vdc-isolation`
 * NetworkPolicy. Pure functions, so the reconciler and the tests compare against the same truth.
 */
import type { vdcs, orgs } from '#db/schema.ts';
import { toUrn } from '#lib/urn.ts';
import * as L from './labels.ts';

type VdcRow = typeof vdcs.$inferSelect;
type OrgRow = typeof orgs.$inferSelect;

export const QUOTA_NAME = 'vdc-quota';
export const POLICY_NAME = 'vdc-isolation';

/** Labels every VDC namespace carries; the reconciler compares these. */
export function namespaceLabels(vdc: VdcRow, org: OrgRow): Record<string, string> {
  return {
    [L.MANAGED_BY]: L.MANAGED_BY_VALUE,
    [L.COMPONENT]: 'vdc',
    [L.L_ORG]: L.labelValue(org.name),
    [L.L_ORG_ID]: org.id,
    [L.L_VDC]: L.labelValue(vdc.name),
    [L.L_VDC_ID]: vdc.id,
  };
}

/** Annotations of a VDC namespace. */
export function namespaceAnnotations(vdc: VdcRow, org: OrgRow): Record<string, string> {
  return {
    [L.A_ORG_URN]: toUrn('org', org.id),
    [L.A_ORG_DISPLAY]: org.displayName,
    [L.A_VDC_URN]: toUrn('vdc', vdc.id),
    [L.A_VDC_NAME]: vdc.name,
    [L.A_VDC_DESCRIPTION]: vdc.description,
    [L.A_VDC_ENABLED]: String(vdc.isEnabled),
  };
}

/** The Namespace object. */
export function namespaceObject(vdc: VdcRow, org: OrgRow) {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: vdc.namespace, labels: namespaceLabels(vdc, org), annotations: namespaceAnnotations(vdc, org) },
  };
}

/** `requests.cpu` in millicores from the VDC's CPU limit and units; undefined = unlimited. */
export function cpuQuantity(limit: number, units: string, mhzPerCore: number): string | undefined {
  if (limit <= 0) return undefined;
  switch (units) {
    case 'cores': return String(limit);
    case 'millicores': return `${limit}m`;
    case 'GHz': return `${Math.max(1, Math.round((limit * 1000 * 1000) / mhzPerCore))}m`;
    default: return `${Math.max(1, Math.round((limit * 1000) / mhzPerCore))}m`;
  }
}

/** `requests.memory` from the VDC's memory limit (VCD's MB are MiB); undefined = unlimited. */
export function memoryQuantity(limit: number, units: string): string | undefined {
  if (limit <= 0) return undefined;
  return units === 'GB' || units === 'GiB' ? `${limit}Gi` : `${limit}Mi`;
}

/** The `spec.hard` of the VDC quota; unlimited keys are left out. */
export function quotaHard(vdc: VdcRow, mhzPerCore: number): Record<string, string> {
  const hard: Record<string, string> = {};
  const cpu = cpuQuantity(vdc.cpuLimit, vdc.cpuUnits, mhzPerCore);
  if (cpu) hard['requests.cpu'] = cpu;
  const mem = memoryQuantity(vdc.memoryLimit, vdc.memoryUnits);
  if (mem) hard['requests.memory'] = mem;
  const storage = vdc.storageProfiles.reduce((s, p) => s + (p.limit > 0 ? p.limit : 0), 0);
  if (storage > 0) hard['requests.storage'] = `${storage}Mi`;
  if (vdc.vmQuota > 0) hard['count/virtualmachines.kubevirt.io'] = String(vdc.vmQuota);
  return hard;
}

/** The ResourceQuota object. */
export function quotaObject(vdc: VdcRow, mhzPerCore: number) {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: QUOTA_NAME, namespace: vdc.namespace, labels: { [L.MANAGED_BY]: L.MANAGED_BY_VALUE, [L.L_VDC_ID]: vdc.id } },
    spec: { hard: quotaHard(vdc, mhzPerCore) },
  };
}

/** The NetworkPolicy: ingress from the same namespace and the OpenShift router only. */
export function policyObject(vdc: VdcRow) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: POLICY_NAME, namespace: vdc.namespace, labels: { [L.MANAGED_BY]: L.MANAGED_BY_VALUE, [L.L_VDC_ID]: vdc.id } },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{
        from: [
          { podSelector: {} },
          { namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } },
        ],
      }],
    },
  };
}
