/**
 * A simulated cluster for function tests: the Kubernetes API simulator, the OpenShift/KubeVirt
 * controllers and the sample templates, shared by the tests of one file; each test app gets its
 * own ClusterRuntime (the real lib/k8s) bound to its own database.
 *
 * The runtime talks to the simulator as the server's ServiceAccount bound to the ClusterRole
 * rendered from manifests/ (test/support/service-account.ts), never with the admin token, so a
 * permission the install lacks fails these tests as it would fail on a real cluster. A test may
 * bind a narrowed rule set instead (`app({ rules })`). The simulator's controllers and the tests'
 * own checks use the admin token.
 */
import { Registry } from 'prom-client';
import { startSimulator, type Simulator } from '#test/cluster/index.ts';
import { startControllers } from '#test/cluster/controllers/index.ts';
import { loadSampleTemplates } from '#test/cluster/templates/index.ts';
import type { ClusterRuntime } from '#lib/k8s/runtime.ts';
import { startRuntime } from '#lib/k8s/boot.ts';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { KubeApi } from '#lib/k8s/api.ts';
import { makeTestApp, type TestApp } from './app.ts';
import { serverIdentity, type ServerIdentity } from './service-account.ts';
import { dirname } from 'node:path';
import type { V1PolicyRule } from '@kubernetes/client-node';

export interface TestCluster {
  sim: Simulator;
  /** The server's ServiceAccount with the manifests' ClusterRole, as every test app uses it by default. */
  identity: ServerIdentity;
  /**
   * A test app wired to the simulator through a fresh ClusterRuntime, authenticated as `identity`,
   * or as a ServiceAccount of its own bound to `rules` only.
   */
  app(opts?: { env?: Record<string, string>; rules?: V1PolicyRule[] }): Promise<TestApp & { runtime: ClusterRuntime; identity: ServerIdentity }>;
  stop(): Promise<void>;
}

/** Starts the simulator, controllers and templates (call in beforeAll; stop in afterAll). */
export async function startTestCluster(opts: { subresources?: boolean; stepDelayMs?: number } = {}): Promise<TestCluster> {
  const sim = await startSimulator({ tls: true, subresources: opts.subresources, namespaceFinalizeDelayMs: 100, gcDelayMs: 20, templateInstanceAdmission: true });
  const kc = sim.kubeConfig();
  // As OpenShift's controller: an instance without spec.requester fails, and the requester's rights are reviewed.
  const controllers = await startControllers(kc, { stepDelayMs: opts.stepDelayMs ?? 10, requireRequester: true });
  await loadSampleTemplates(kc);
  const identity = await serverIdentity(kc, dirname(sim.kubeconfigPath));
  const runtimes: ClusterRuntime[] = [];
  return {
    sim,
    identity,
    async app(o = {}) {
      const who = o.rules ? await serverIdentity(kc, dirname(sim.kubeconfigPath), { rules: o.rules }) : identity;
      let runtime!: ClusterRuntime;
      const t = await makeTestApp({
        env: { SSVIRT_KUBECONFIG: who.kubeconfigPath, ...o.env },
        k8s: async ({ db, config, log }) => (runtime = await startRuntime({ kc: who.kubeConfig(), config, db, log, registry: new Registry(), timeoutMs: 3_000 })),
      });
      runtimes.push(runtime);
      return Object.assign(t, { runtime, identity: who });
    },
    async stop() {
      await Promise.all(runtimes.map((r) => r.stop()));
      await controllers.stop();
      await sim.stop();
    },
  };
}

/**
 * For files that build their own ClusterRuntimes: one simulated cluster and a KubeApi for the
 * file (`ready` receives them), faults cleared and the runtimes pushed to the returned array
 * stopped after each test.
 */
export function clusterPerFile(ready: (cluster: TestCluster, api: KubeApi) => void): ClusterRuntime[] {
  let cluster: TestCluster | undefined;
  const runtimes: ClusterRuntime[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster();
    ready(cluster, new KubeApi(cluster.sim.kubeConfig(), { timeoutMs: 3_000 }));
  });
  afterEach(async () => {
    cluster?.sim.faults.clear();
    await Promise.all(runtimes.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return runtimes;
}
