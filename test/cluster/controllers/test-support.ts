/**
 * Test support for the controller, template and CLI tests: a cluster to test against (a fresh
 * simulator, or the API server of SSVIRT_TEST_KUBECONFIG with the CRDs installed when missing),
 * unique namespaces that are cleaned up, waiting helpers, a watch that records every printableStatus
 * a VM passes through, and the KubeVirt power calls (the real subresources when served, else the same
 * records the simulator's subresources write, so a bare kube-apiserver can be tested too).
 */
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import {
  ApisApi,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { startControllers, type RunningControllers } from './index.ts';
import { PAUSE_ANNOTATION, RESTART_ANNOTATION, RESTART_GRACE_ANNOTATION, STOP_GRACE_ANNOTATION } from './kubevirt.ts';
import { installCrds } from '../crds/index.ts';

export const REAL_KUBECONFIG = process.env.SSVIRT_TEST_KUBECONFIG;

/** Title of a suite that runs only against SSVIRT_TEST_KUBECONFIG; says why when it is skipped. */
export function realSuiteTitle(what: string): string {
  return REAL_KUBECONFIG
    ? `${what} against SSVIRT_TEST_KUBECONFIG (${REAL_KUBECONFIG})`
    : `${what} against another API server: skipped because SSVIRT_TEST_KUBECONFIG is not set (set it to a kubeconfig to run these there)`;
}
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface TestCluster {
  kc: KubeConfig;
  /** True when testing the API server of SSVIRT_TEST_KUBECONFIG. */
  real: boolean;
  /** The simulator's fault injection (simulator only). */
  faults?: import('../index.ts').FaultControl;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** Creates a namespace with a unique name, deleted again by stop(). */
  namespace(prefix: string): Promise<string>;
  restartControllers(): Promise<void>;
  /** Stops the simulated controllers until startControllers() (nothing reconciles meanwhile). */
  stopControllers(): Promise<void>;
  startControllers(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  stepDelayMs?: number;
  /** Start the simulated controllers (default true; on a real cluster unless SSVIRT_TEST_CONTROLLERS=0). */
  controllers?: boolean;
}

/** A fresh simulator (plus controllers) for one test file. */
export async function simulatorCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const { startSimulator } = await import('../index.ts');
  // Plain HTTP: a TLS handshake per request (client-node keeps no connections alive) costs CPU the
  // polling tests would rather spend elsewhere; the CLI test covers TLS.
  const sim = await startSimulator({ tls: false });
  const cluster = await makeCluster(sim.kubeConfig(), false, opts, () => sim.stop());
  cluster.faults = sim.faults;
  return cluster;
}

/** The API server of SSVIRT_TEST_KUBECONFIG, with the CRDs installed when it lacks them. */
export async function realCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const kc = new KubeConfig();
  kc.loadFromFile(REAL_KUBECONFIG!);
  await installCrds(kc);
  const controllers = opts.controllers ?? process.env.SSVIRT_TEST_CONTROLLERS !== '0';
  return makeCluster(kc, true, { ...opts, controllers }, async () => {});
}

async function makeCluster(kc: KubeConfig, real: boolean, opts: ClusterOptions, stopServer: () => Promise<void>): Promise<TestCluster> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const start = () => startControllers(kc, { stepDelayMs: opts.stepDelayMs ?? 15 });
  let controllers: RunningControllers | undefined = opts.controllers === false ? undefined : await start();
  const namespaces: string[] = [];
  return {
    kc,
    real,
    core,
    custom,
    async namespace(prefix) {
      const name = `ssvirt-test-${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63);
      await core.createNamespace({ body: { metadata: { name, labels: { 'app.kubernetes.io/part-of': 'ssvirt-tests' } } } });
      namespaces.push(name);
      return name;
    },
    async restartControllers() {
      await controllers?.stop();
      controllers = await start();
    },
    async stopControllers() {
      await controllers?.stop();
      controllers = undefined;
    },
    async startControllers() {
      controllers ??= await start();
    },
    async stop() {
      // Namespaces go first, while the controllers still run to release their finalizers.
      for (const name of namespaces) await core.deleteNamespace({ name }).catch(() => {});
      if (real) {
        const deadline = Date.now() + 20_000;
        for (const name of namespaces) {
          while (Date.now() < deadline && (await core.readNamespace({ name }).then(() => true, () => false))) await sleep(200);
        }
      }
      await controllers?.stop();
      await stopServer();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value (returned), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(20);
  }
}

export const kv = (plural: string, namespace: string) => ({ group: 'kubevirt.io', version: 'v1', plural, namespace });
export const tmpl = (plural: string, namespace: string) => ({ group: 'template.openshift.io', version: 'v1', plural, namespace });

export async function getVm(c: TestCluster, namespace: string, name: string): Promise<any> {
  return c.custom.getNamespacedCustomObject({ ...kv('virtualmachines', namespace), name });
}

export async function getVmi(c: TestCluster, namespace: string, name: string): Promise<any | undefined> {
  try {
    return await c.custom.getNamespacedCustomObject({ ...kv('virtualmachineinstances', namespace), name });
  } catch (e) {
    if ((e as { code?: number }).code === 404) return undefined;
    throw e;
  }
}

/** Waits until the VM reports `printableStatus`; returns the VM. */
export function waitForVmStatus(c: TestCluster, namespace: string, name: string, printableStatus: string, timeoutMs = 5000): Promise<any> {
  return waitFor(`VM ${namespace}/${name} to be ${printableStatus}`, async () => {
    const vm = await getVm(c, namespace, name);
    return vm.status?.printableStatus === printableStatus ? vm : undefined;
  }, timeoutMs);
}

/**
 * Records, through a watch, every distinct consecutive printableStatus of one VM. `stop(last)` first
 * waits (≤ 3 s) for `last` to arrive: a GET can see a status before the watch delivers it.
 */
export async function recordStatuses(kc: KubeConfig, namespace: string, name: string): Promise<{ seen: string[]; stop(last?: string): Promise<void> }> {
  const seen: string[] = [];
  const watch = new Watch(kc);
  const req = await watch.watch(
    `/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachines`,
    { fieldSelector: `metadata.name=${name}` },
    (_type, obj: any) => {
      const s = obj?.status?.printableStatus;
      if (s && seen[seen.length - 1] !== s) seen.push(s);
    },
    () => {},
  );
  return {
    seen,
    async stop(last?: string) {
      const deadline = Date.now() + 3000;
      while (last && seen[seen.length - 1] !== last && Date.now() < deadline) await sleep(10);
      req.abort();
    },
  };
}

let subresourcesServed: Map<string, boolean> | undefined;

async function subresourcesAvailable(kc: KubeConfig): Promise<boolean> {
  subresourcesServed ??= new Map();
  const server = kc.getCurrentCluster()?.server ?? '';
  if (!subresourcesServed.has(server)) {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    subresourcesServed.set(server, groups.groups.some((g) => g.name === 'subresources.kubevirt.io'));
  }
  return subresourcesServed.get(server)!;
}

/** A raw request through client-node's connection settings (for the subresources it has no API for). */
export async function rawRequest(kc: KubeConfig, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const url = new URL(kc.getCurrentCluster()!.server + path);
  const opts: https.RequestOptions = { method, headers: { 'content-type': 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, opts, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export type PowerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause';

/**
 * A KubeVirt power call: the `subresources.kubevirt.io` PUT when the server serves it, else the record
 * the simulator's subresource would have written (so the controllers see the same thing).
 */
export async function power(c: TestCluster, namespace: string, name: string, action: PowerAction, body: Record<string, unknown> = {}): Promise<number> {
  if (await subresourcesAvailable(c.kc)) {
    const kind = action === 'pause' || action === 'unpause' ? 'virtualmachineinstances' : 'virtualmachines';
    const res = await rawRequest(c.kc, 'PUT', `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/${kind}/${name}/${action}`, body);
    return res.status;
  }
  const patch = async (plural: string, p: unknown) =>
    c.custom.patchNamespacedCustomObject({ ...kv(plural, namespace), name, body: p }, mergePatch);
  const vm = await getVm(c, namespace, name);
  const runField = vm.spec?.running !== undefined ? 'running' : 'runStrategy';
  switch (action) {
    case 'start':
      await patch('virtualmachines', { spec: { [runField]: runField === 'running' ? true : 'Always' } });
      return 202;
    case 'stop': {
      const annotations = typeof body.gracePeriod === 'number' ? { [STOP_GRACE_ANNOTATION]: String(body.gracePeriod) } : undefined;
      await patch('virtualmachines', { spec: { [runField]: runField === 'running' ? false : 'Halted' }, ...(annotations ? { metadata: { annotations } } : {}) });
      return 202;
    }
    case 'restart': {
      const annotations: Record<string, string> = { [RESTART_ANNOTATION]: `${new Date().toISOString()}#${randomBytes(2).toString('hex')}` };
      if (typeof body.gracePeriodSeconds === 'number') annotations[RESTART_GRACE_ANNOTATION] = String(body.gracePeriodSeconds);
      await patch('virtualmachines', { metadata: { annotations } });
      return 202;
    }
    case 'pause':
    case 'unpause':
      await patch('virtualmachineinstances', { metadata: { annotations: { [PAUSE_ANNOTATION]: action === 'pause' ? 'true' : null } } });
      return 200;
  }
}
