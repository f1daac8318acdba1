/**
 * listInPages against the Kubernetes API simulator: every object across pages (typed and
 * custom-object lists), one list object with the snapshot's resourceVersion, and a 410 for an
 * expired continue token passed on to the informer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi, type V1Secret, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { listInPages, type PageRequest } from '#lib/k8s/paged-list.ts';

let sim: Simulator;
let core: CoreV1Api;
const NS = 'paged';

beforeAll(async () => {
  sim = await startSimulator({ tls: true });
  core = sim.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  for (let i = 0; i < 23; i++) await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: `s-${String(i).padStart(2, '0')}` }, stringData: { i: String(i) } } });
});
afterAll(async () => {
  await sim?.stop();
});

const fetchPage = (requests: PageRequest[]) => (page: PageRequest) => {
  requests.push(page);
  return core.listNamespacedSecret({ namespace: NS, ...page }) as Promise<KubernetesListObject<V1Secret>>;
};

describe('listInPages', () => {
  it('collects every page into one list without a continue token', async () => {
    const requests: PageRequest[] = [];
    const list = await listInPages(fetchPage(requests), 5);
    expect(list.items.map((c) => c.metadata!.name)).toEqual(Array.from({ length: 23 }, (_, i) => `s-${String(i).padStart(2, '0')}`));
    expect(requests).toHaveLength(5);
    expect(requests[0]).toEqual({ limit: 5 });
    expect(requests[1]!._continue).toBeTruthy();
    expect(list.metadata?._continue).toBeUndefined();
    expect(list.metadata?.remainingItemCount).toBeUndefined();
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('answers in one request when everything fits in a page', async () => {
    const requests: PageRequest[] = [];
    const list = await listInPages(fetchPage(requests), 100);
    expect(list.items).toHaveLength(23);
    expect(requests).toEqual([{ limit: 100 }]);
  });

  it('keeps the first page\'s resourceVersion (the snapshot a watch must start from)', async () => {
    const requests: PageRequest[] = [];
    let first: string | undefined;
    const list = await listInPages(async (page) => {
      const res = await fetchPage(requests)(page);
      if (!first) {
        first = res.metadata!.resourceVersion;
        await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: `late-${Date.now()}` } } });
      }
      return res;
    }, 10);
    // A real API server also leaves the late object out of the list (the simulator pages over live
    // data); either way the watch from this version reports it, which is what the informer needs.
    expect(list.metadata!.resourceVersion).toBe(first);
  });

  it('follows custom-object lists too, whose token is the plain JSON `continue`', async () => {
    const crd = sim.kubeConfig().makeApiClient(CustomObjectsApi);
    const ns = 'paged-vms';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    for (let i = 0; i < 7; i++) {
      await crd.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachines', body: {
        apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: `vm-${i}` }, spec: { runStrategy: 'Halted', template: { spec: {} } },
      } });
    }
    const requests: PageRequest[] = [];
    const list = await listInPages((page) => {
      requests.push(page);
      return crd.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: ns, plural: 'virtualmachines', ...page }) as Promise<KubernetesListObject<KubernetesObject>>;
    }, 3);
    expect(list.items.map((o) => o.metadata!.name)).toEqual(['vm-0', 'vm-1', 'vm-2', 'vm-3', 'vm-4', 'vm-5', 'vm-6']);
    expect(requests).toHaveLength(3);
    expect((list.metadata as Record<string, unknown>).continue).toBeUndefined();
  });

  it('fails with the 410 when the continue token expired (the informer lists again)', async () => {
    let pages = 0;
    await expect(listInPages(async (page) => {
      const res = await core.listNamespacedSecret({ namespace: NS, ...page });
      if (++pages === 1) {
        await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: `newer-${Date.now()}` } } });
        sim.compact();
      }
      return res as KubernetesListObject<V1Secret>;
    }, 5)).rejects.toMatchObject({ code: 410 });
  });
});
