/**
 * Where the cluster comes from: SSVIRT_KUBECONFIG, else the in-cluster service account, else
 * KUBECONFIG, else none (degraded mode).
 */
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
// No service account is mounted on a test machine: pretend one is, for this path only.
const saMounted = vi.hoisted(() => ({ value: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const existsSync = (p: Parameters<typeof fs.existsSync>[0]) => (p === '/var/run/secrets/kubernetes.io/serviceaccount/token' ? saMounted.value : fs.existsSync(p));
  return { ...fs, existsSync, default: { ...fs, existsSync } };
});

const { kubeConfigSource, loadKubeConfig } = await import('#lib/k8s/kubeconfig.ts');

const dir = mkdtempSync(path.join(tmpdir(), 'ssvirt-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(file: string, server: string | undefined): string {
  const p = path.join(dir, file);
  const doc = server === undefined
    ? { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] }
    : {
        apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
        clusters: [{ name: 'k', cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 'secret-token' } }],
        contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      };
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

beforeEach(() => {
  saMounted.value = false;
});

describe('kubeConfigSource', () => {
  it('prefers SSVIRT_KUBECONFIG over everything else', () => {
    saMounted.value = true;
    expect(kubeConfigSource('/etc/ssvirt/kubeconfig', { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/x' })).toBe('SSVIRT_KUBECONFIG');
  });

  it('uses the service account in a pod (service host set and token mounted) before KUBECONFIG', () => {
    saMounted.value = true;
    expect(kubeConfigSource(undefined, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/x' })).toBe('in-cluster');
  });

  it('does not take a service host without a mounted token for in-cluster', () => {
    expect(kubeConfigSource(undefined, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBECONFIG: '/x' })).toBe('KUBECONFIG');
    expect(kubeConfigSource(undefined, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toBeUndefined();
    saMounted.value = true;
    expect(kubeConfigSource(undefined, {})).toBeUndefined();
  });

  it('answers undefined (degraded mode) with nothing configured, empty values included', () => {
    expect(kubeConfigSource(undefined, {})).toBeUndefined();
    expect(kubeConfigSource('', { KUBECONFIG: '' })).toBeUndefined();
  });
});

describe('loadKubeConfig', () => {
  it('loads SSVIRT_KUBECONFIG and reports its server', async () => {
    const p = kubeconfig('explicit.json', 'https://api.example:6443');
    const other = kubeconfig('other.json', 'https://other.example:6443');
    const loaded = await loadKubeConfig(p, { KUBECONFIG: other });
    expect(loaded?.source).toBe('SSVIRT_KUBECONFIG');
    expect(loaded?.server).toBe('https://api.example:6443');
    expect(loaded?.kc.getCurrentUser()?.token).toBe('secret-token');
  });

  it('loads the first file of a KUBECONFIG list', async () => {
    const first = kubeconfig('first.json', 'https://first.example:6443');
    const second = kubeconfig('second.json', 'https://second.example:6443');
    const loaded = await loadKubeConfig(undefined, { KUBECONFIG: `${first}:${second}` });
    expect(loaded).toMatchObject({ source: 'KUBECONFIG', server: 'https://first.example:6443' });
  });

  it('loads the in-cluster configuration from the service environment', async () => {
    saMounted.value = true;
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    const loaded = await loadKubeConfig(undefined, env);
    expect(loaded?.source).toBe('in-cluster');
    expect(loaded?.server).toBe('https://10.96.0.1:443');
    expect(loaded?.kc.getCurrentCluster()?.caFile).toBe('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
    expect(loaded?.kc.getCurrentUser()?.authProvider?.config?.tokenFile).toBe(SA_TOKEN);
  });

  it('brackets an IPv6 service address and speaks plain HTTP on the insecure ports', async () => {
    saMounted.value = true;
    expect((await loadKubeConfig(undefined, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }))?.server).toBe('https://[fd00::1]:6443');
    expect((await loadKubeConfig(undefined, { KUBERNETES_SERVICE_HOST: 'apiserver', KUBERNETES_SERVICE_PORT: '8080' }))?.server).toBe('http://apiserver:8080');
  });

  it('answers undefined without configuration, so the server runs degraded', async () => {
    expect(await loadKubeConfig(undefined, {})).toBeUndefined();
  });

  it('refuses a kubeconfig without a current cluster, naming the source', async () => {
    await expect(loadKubeConfig(kubeconfig('empty.json', undefined), {})).rejects.toThrow(/SSVIRT_KUBECONFIG: the kubeconfig names no current cluster/);
  });

  it('fails loudly for a missing file rather than running degraded', async () => {
    await expect(loadKubeConfig(path.join(dir, 'absent.json'), {})).rejects.toThrow(/ENOENT/);
  });
});
