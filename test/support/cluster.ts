/**
 * A simulated cluster for function tests: the Kubernetes API simulator, the OpenShift/KubeVirt
 * controllers and the sample templates, shared by the tests of one file; each test app gets its
 * own ClusterRuntime (the real lib/k8s) bound to its own database.
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

export interface TestCluster {
  sim: Simulator;
  /** A test app wired to the simulator through a fresh ClusterRuntime. */
  app(opts?: { env?: Record<string, string> }): Promise<TestApp & { runtime: ClusterRuntime }>;
  stop(): Promise<void>;
}

/** Starts the simulator, controllers and templates (call in beforeAll; stop in afterAll). */
export async function startTestCluster(opts: { subresources?: boolean; stepDelayMs?: number } = {}): Promise<TestCluster> {
  const sim = await startSimulator({ tls: true, subresources: opts.subresources, namespaceFinalizeDelayMs: 100, gcDelayMs: 20 });
  const kc = sim.kubeConfig();
  const controllers = await startControllers(kc, { stepDelayMs: opts.stepDelayMs ?? 10 });
  await loadSampleTemplates(kc);
  const runtimes: ClusterRuntime[] = [];
  return {
    sim,
    async app(o = {}) {
      let runtime!: ClusterRuntime;
      const t = await makeTestApp({
        env: { SSVIRT_KUBECONFIG: sim.kubeconfigPath, ...o.env },
        k8s: async ({ db, config, log }) => (runtime = await startRuntime({ kc: sim.kubeConfig(), config, db, log, registry: new Registry(), timeoutMs: 3_000 })),
      });
      runtimes.push(runtime);
      return Object.assign(t, { runtime });
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
