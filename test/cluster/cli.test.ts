/**
 * `npm run cluster` end to end: the CLI process starts, prints `kubeconfig: <path>`, the kubeconfig
 * works with client-node and kubectl (no kubectl on PATH fails unless SSVIRT_NO_KUBECTL=1), the
 * sample templates are there, and SIGTERM stops it with exit code 0.
 *
 * The test runs the tsx binary that `npx tsx` resolves to rather than `npx` itself: npm 11's exec
 * wrapper dies of SIGTERM without waiting for its child (exit code null, the CLI orphaned), while
 * tsx relays the signal and exits with the CLI's own code.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { runCluster } from './cli.ts';
import { getVm, kv, tmpl, waitFor, waitForVmStatus, type TestCluster } from './controllers/test-support.ts';
import { startSimulator } from './index.ts';
import { sampleTemplates } from './templates/index.ts';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const noKubectl = process.env.SSVIRT_NO_KUBECTL === '1';

describe('npm run cluster (test/cluster/cli.ts)', () => {
  let child: ChildProcess;
  let output = '';
  let kubeconfigPath = '';
  const exited = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });

  beforeAll(async () => {
    // Own process group, so cleanup after a failure reaches tsx's node child too.
    child = spawn('node_modules/.bin/tsx', ['test/cluster/cli.ts', '--port', '0', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stderr!.on('data', (d) => (output += d));
    kubeconfigPath = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no kubeconfig line within 60 s; output:\n${output}`)), 60_000);
      child.stdout!.on('data', (d) => {
        output += d;
        const m = /^kubeconfig: (.+)$/m.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!.trim());
        }
      });
      child.once('exit', (code) => reject(new Error(`cli exited with ${code}:\n${output}`)));
    });
  }, 70_000);

  afterAll(() => {
    if (child?.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('prints an absolute kubeconfig path that client-node can use', async () => {
    expect(isAbsolute(kubeconfigPath)).toBe(true);
    expect(output).toMatch(/^api: https:\/\/127\.0\.0\.1:\d+$/m);
    expect(output).toMatch(/^control: http:\/\/127\.0\.0\.1:\d+$/m);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'openshift']));
    const templates = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: 'template.openshift.io',
      version: 'v1',
      plural: 'templates',
      namespace: 'openshift',
    })) as { items: unknown[] };
    // Every sample is loaded, with the instancetype one of them is sized by.
    expect(templates.items).toHaveLength(sampleTemplates().length);
    expect(output).toMatch(new RegExp(`^templates: ${sampleTemplates().length} in namespace openshift$`, 'm'));
    const u1 = await kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({
      group: 'instancetype.kubevirt.io', version: 'v1beta1', plural: 'virtualmachineclusterinstancetypes', name: 'u1.medium',
    }) as { spec: unknown };
    expect(u1.spec).toEqual({ cpu: { guest: 1 }, memory: { guest: '4Gi' } });
  });

  it.skipIf(noKubectl)('works with kubectl get ns (skipped only with SSVIRT_NO_KUBECTL=1)', () => {
    if (!hasKubectl) throw new Error('kubectl is not on PATH (or `kubectl version --client` fails): install it (e.g. the kubectl package or a release from dl.k8s.io), or set SSVIRT_NO_KUBECTL=1 to skip this test');
    const res = spawnSync('kubectl', ['--kubeconfig', kubeconfigPath, 'get', 'ns'], { encoding: 'utf8', timeout: 15_000 });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^NAME\s+/);
    expect(res.stdout).toMatch(/^openshift\s+/m);
  });

  it('stops cleanly on SIGTERM', async () => {
    const done = exited();
    child.kill('SIGTERM');
    expect(await done).toBe(0);
  }, 15_000);
});

describe('npm run cluster -- --attach <kubeconfig> (in-process)', () => {
  it('loads the templates and runs the controllers against an existing API server', async () => {
    const sim = await startSimulator();
    const lines: string[] = [];
    const running = await runCluster(['--attach', sim.kubeconfigPath, '--quiet', '--template-namespace', 'attach-templates'], (l) => lines.push(l));
    try {
      expect(lines).toContain(`attached: ${sim.url} (CRDs already served)`);
      expect(lines).toContain(`kubeconfig: ${sim.kubeconfigPath}`);
      const kc = sim.kubeConfig();
      const custom = kc.makeApiClient(CustomObjectsApi);
      const core = kc.makeApiClient(CoreV1Api);
      const list = (await custom.listNamespacedCustomObject({ ...tmpl('templates', 'attach-templates') })) as { items: any[] };
      expect(list.items).toHaveLength(sampleTemplates().length);

      // The controllers run: an instance becomes a VM that starts.
      await core.createNamespace({ body: { metadata: { name: 'attach' } } });
      const template = list.items.find((t) => t.metadata.name === 'centos-stream9-server-small');
      await custom.createNamespacedCustomObject({
        ...tmpl('templateinstances', 'attach'),
        body: { apiVersion: 'template.openshift.io/v1', kind: 'TemplateInstance', metadata: { name: 'ti' }, spec: { template } },
      });
      const ti: any = await waitFor('the instance to be Ready', async () => {
        const got: any = await custom.getNamespacedCustomObject({ ...tmpl('templateinstances', 'attach'), name: 'ti' });
        return got.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True') ? got : undefined;
      });
      const name = ti.status.objects[0].ref.name;
      expect(name).toMatch(/^centos-stream9-[a-z0-9]{16}$/);
      const c = { custom, kc } as unknown as TestCluster;
      await waitForVmStatus(c, 'attach', name, 'Stopped');
      // This sample is in the v0.25.0 format, whose VMs run by `running` rather than `runStrategy`.
      expect((await getVm(c, 'attach', name)).spec).toMatchObject({ running: false });
      await custom.patchNamespacedCustomObject(
        { ...kv('virtualmachines', 'attach'), name, body: [{ op: 'replace', path: '/spec/running', value: true }] },
      );
      const vm = await waitForVmStatus(c, 'attach', name, 'Running');
      expect(vm.status.ready).toBe(true);
      expect((await getVm(c, 'attach', name)).metadata.labels['vm.kubevirt.io/template']).toBe('centos-stream9-server-small');
    } finally {
      await running?.stop();
      await sim.stop();
    }
  }, 30_000);
});
