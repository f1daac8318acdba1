/**
 * The objects of a VDC exactly as docs/kubernetes.md "VDC → namespace" shows them: the Namespace's labels and
 * annotations, the `vdc-quota` ResourceQuota, the `vdc-isolation` NetworkPolicy.
 */
import { describe, expect, it } from 'vitest';
import type { orgs, vdcs } from '#db/schema.ts';
import {
  namespaceAnnotations, namespaceLabels, namespaceObject, policyObject, POLICY_NAME, quotaHard, quotaObject, QUOTA_NAME,
} from '#lib/k8s/vdc-objects.ts';

const ORG_ID = '0b4c3c5e-8f0e-4a57-9d8e-0a1b2c3d4e5f';
const VDC_ID = 'f2d1e0c9-1b2a-4c3d-8e4f-5a6b7c8d9e0f';

function org(extra: Partial<typeof orgs.$inferSelect> = {}): typeof orgs.$inferSelect {
  return { id: ORG_ID, name: 'acme', nameKey: 'acme', displayName: 'ACME Corporation', description: '', isEnabled: true, canPublish: false, isProvider: false, version: 1, createdAt: 0, updatedAt: 0, ...extra };
}

function vdc(extra: Partial<typeof vdcs.$inferSelect> = {}): typeof vdcs.$inferSelect {
  return {
    id: VDC_ID, orgId: ORG_ID, name: 'Dev Team', nameKey: 'dev team', description: 'The dev team', allocationModel: 'AllocationVApp',
    cpuUnits: 'MHz', cpuAllocated: 0, cpuLimit: 0, cpuReserved: 0, memoryUnits: 'MB', memoryAllocated: 0, memoryLimit: 0, memoryReserved: 0,
    nicQuota: 0, networkQuota: 0, vmQuota: 0, storageProfiles: [], providerVdc: null, isThinProvision: true, isEnabled: true,
    status: 'READY', statusMessage: null, undoStartedAt: null, namespace: 'vdc-acme-dev-team', needsReconcile: false, version: 1, createdAt: 0, updatedAt: 0, ...extra,
  };
}

const profile = (limit: number, name = 'default') => ({ name, enabled: true, units: 'MB', limit, default: true });

describe('the VDC Namespace', () => {
  it('carries the documented labels, sanitised, with the uuids of the org and VDC', () => {
    expect(namespaceLabels(vdc(), org())).toEqual({
      'app.kubernetes.io/managed-by': 'ssvirt',
      'app.kubernetes.io/component': 'vdc',
      'ssvirt.io/organization': 'acme',
      'ssvirt.io/organization-id': ORG_ID,
      'ssvirt.io/vdc': 'Dev-Team',
      'ssvirt.io/vdc-id': VDC_ID,
    });
  });

  it('puts the unsanitised names, URNs, description and enabled flag into annotations', () => {
    expect(namespaceAnnotations(vdc(), org())).toEqual({
      'ssvirt.io/organization-urn': `urn:vcloud:org:${ORG_ID}`,
      'ssvirt.io/organization-display-name': 'ACME Corporation',
      'ssvirt.io/vdc-urn': `urn:vcloud:vdc:${VDC_ID}`,
      'ssvirt.io/vdc-name': 'Dev Team',
      'ssvirt.io/vdc-description': 'The dev team',
      'ssvirt.io/vdc-enabled': 'true',
    });
    expect(namespaceAnnotations(vdc({ isEnabled: false }), org())['ssvirt.io/vdc-enabled']).toBe('false');
  });

  it('keeps label values valid for names no label may hold', () => {
    const labels = namespaceLabels(vdc({ name: '  Équipe № 1 / QA — ' + 'x'.repeat(80) }), org({ name: "O'Brien & Co." }));
    expect(labels['ssvirt.io/organization']).toBe('OBrien--Co');
    expect(labels['ssvirt.io/vdc']).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
  });

  it('is named after the row, whatever the VDC is called now', () => {
    const ns = namespaceObject(vdc({ name: 'Renamed' }), org({ name: 'neworg' }));
    expect(ns).toEqual({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: 'vdc-acme-dev-team', labels: namespaceLabels(vdc({ name: 'Renamed' }), org({ name: 'neworg' })), annotations: namespaceAnnotations(vdc({ name: 'Renamed' }), org({ name: 'neworg' })) },
    });
    expect(ns.metadata.labels['ssvirt.io/vdc']).toBe('Renamed');
  });
});

describe('the vdc-quota ResourceQuota', () => {
  it('converts every limit as the table says', () => {
    const row = vdc({ cpuLimit: 4000, cpuUnits: 'MHz', memoryLimit: 8192, memoryUnits: 'MB', vmQuota: 5, storageProfiles: [profile(10240), profile(20480, 'fast')] });
    expect(quotaHard(row, 1000)).toEqual({
      'requests.cpu': '4000m',
      'requests.memory': '8192Mi',
      'requests.storage': '30720Mi',
      'count/virtualmachines.kubevirt.io': '5',
    });
    expect(quotaHard(row, 2000)['requests.cpu']).toBe('2000m');
  });

  it('takes cores, millicores and GB as given units', () => {
    expect(quotaHard(vdc({ cpuLimit: 8, cpuUnits: 'cores', memoryLimit: 16, memoryUnits: 'GB' }), 1000)).toEqual({ 'requests.cpu': '8', 'requests.memory': '16Gi' });
    expect(quotaHard(vdc({ cpuLimit: 1500, cpuUnits: 'millicores' }), 1000)).toEqual({ 'requests.cpu': '1500m' });
  });

  it('leaves out every unlimited key (0), and storage profiles without a limit', () => {
    expect(quotaHard(vdc(), 1000)).toEqual({});
    expect(quotaHard(vdc({ storageProfiles: [profile(0), profile(-1)] }), 1000)).toEqual({});
    expect(quotaHard(vdc({ storageProfiles: [profile(0), profile(512)] }), 1000)).toEqual({ 'requests.storage': '512Mi' });
  });

  it('is the object docs/kubernetes.md names, on requests only', () => {
    const q = quotaObject(vdc({ cpuLimit: 1000, memoryLimit: 1024 }), 1000);
    expect(q).toEqual({
      apiVersion: 'v1', kind: 'ResourceQuota',
      metadata: { name: 'vdc-quota', namespace: 'vdc-acme-dev-team', labels: { 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vdc-id': VDC_ID } },
      spec: { hard: { 'requests.cpu': '1000m', 'requests.memory': '1024Mi' } },
    });
    expect(QUOTA_NAME).toBe('vdc-quota');
    expect(Object.keys(q.spec.hard).every((k) => k.startsWith('requests.') || k.startsWith('count/'))).toBe(true);
  });
});

describe('the vdc-isolation NetworkPolicy', () => {
  it('allows ingress only from the same namespace and the OpenShift router, and leaves egress alone', () => {
    expect(POLICY_NAME).toBe('vdc-isolation');
    expect(policyObject(vdc())).toEqual({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      metadata: { name: 'vdc-isolation', namespace: 'vdc-acme-dev-team', labels: { 'app.kubernetes.io/managed-by': 'ssvirt', 'ssvirt.io/vdc-id': VDC_ID } },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } }] }],
      },
    });
  });
});
