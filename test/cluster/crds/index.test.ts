/**
 * The CRD installer's create keeps the schema flags: the simulator stores the CRD it is sent and
 * prunes custom resources by the stored schema, so a create that lost
 * `x-kubernetes-preserve-unknown-fields` (client-node's typed createCustomResourceDefinition) shows
 * up as a TemplateInstance whose `spec.template` comes back `{}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startSimulator, type Simulator } from '../index.ts';
import { createCrd, loadCrdManifests } from './index.ts';

describe('createCrd (crds/index.ts)', () => {
  let sim: Simulator;
  beforeAll(async () => { sim = await startSimulator(); });
  afterAll(async () => { await sim.stop(); });

  it('stores the preserve-unknown-fields flags, so spec.template survives pruning', async () => {
    const kc = sim.kubeConfig();
    const crd = loadCrdManifests().find((c) => c.metadata!.name === 'templateinstances.template.openshift.io')!;
    await createCrd(kc, crd);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const stored: any = await custom.getClusterCustomObject({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name: crd.metadata!.name! });
    expect(stored.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.template['x-kubernetes-preserve-unknown-fields']).toBe(true);

    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'crd-t' } } });
    const template = { metadata: { name: 't' }, objects: [{ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm' } }] };
    const got: any = await custom.createNamespacedCustomObject({
      group: 'template.openshift.io', version: 'v1', plural: 'templateinstances', namespace: 'crd-t',
      body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name: 'ti' }, spec: { template } },
    });
    expect(got.spec.template).toEqual(template);
  });
});
