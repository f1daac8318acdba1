/**
 * The README's walkthrough, executed: the fenced block after the `walkthrough` marker runs under
 * `bash -euo pipefail` (every curl with -f, so any non-2xx fails it) against the production build
 * connected to the Kubernetes simulator with its template and KubeVirt controllers and the sample
 * templates (`npm run cluster`'s setup, started in process).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { runCluster, type RunningCluster } from '#test/cluster/cli.ts';
import { buildOnce, startServer, tempDir, waitReady, type ServerProcess } from '#test/support/server-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MARKER = '<!-- walkthrough: executed by test/readme.test.ts -->';

/** The shell block right after the marker. */
export function walkthrough(markdown: string): string {
  const at = markdown.indexOf(MARKER);
  if (at < 0) throw new Error('README.md has no walkthrough marker');
  const m = /^```sh\n([\s\S]*?)^```$/m.exec(markdown.slice(at + MARKER.length));
  if (!m || markdown.slice(at + MARKER.length, at + MARKER.length + m.index).trim() !== '') throw new Error('the walkthrough marker is not followed by a ```sh block');
  return m[1]!;
}

const tools = ['bash', 'curl', 'jq'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);

describe('README', () => {
  it('has a walkthrough that logs in, creates an org and a VDC, lists catalog items, instantiates, powers on and deletes', () => {
    const script = walkthrough(README);
    for (const step of ['/sessions/provider', '/cloudapi/1.0.0/orgs', '/api/admin/org/$ORG/vdcs', '/catalogItems',
      '/actions/instantiateTemplate', '/actions/powerOn', '-X DELETE "$SSVIRT/cloudapi/1.0.0/vapps/', '-X DELETE "$SSVIRT/api/admin/org/$ORG/vdcs/$VDC"']) {
      expect(script, step).toContain(step);
    }
  });

  it('documents every SSVIRT_* variable the server reads', async () => {
    const { ConfigSchema } = await import('#lib/config.ts');
    for (const name of Object.keys(ConfigSchema.entries)) expect(README, name).toContain(`\`${name}\``);
  });
});

describe.skipIf(tools.length > 0)(`README walkthrough against the production build and the simulator${tools.length ? ` (skipped: no ${tools.join(', ')})` : ''}`, () => {
  const PASSWORD = 'change-me-now';
  let cluster: RunningCluster | undefined;
  let server: ServerProcess | undefined;
  let dist: string;
  let data: string;
  beforeAll(async () => {
    dist = await buildOnce();
    data = tempDir('readme');
    mkdirSync(join(data, 'cluster'));
    cluster = await runCluster(['--quiet', '--dir', join(data, 'cluster')], () => {});
    server = await startServer({
      dist,
      env: { SSVIRT_DB_PATH: join(data, 'ssvirt.db'), SSVIRT_KUBECONFIG: cluster!.kubeconfigPath, SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOGIN_DELAY_MS: '0' },
    });
    await waitReady(server, 60_000);
  }, 180_000);
  afterAll(async () => {
    await server?.stop(5_000);
    await cluster?.stop();
    rmSync(dist, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }, 60_000);

  it('runs to the end: every request succeeds, the VM powers on, everything is deleted', async () => {
    const ready = await (await fetch(`${server!.url}/readyz`)).json() as { status: string };
    expect(ready.status).toBe('ready');
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', walkthrough(README)], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, SSVIRT: server!.url, SSVIRT_ADMIN_PASSWORD: PASSWORD },
        // stdin not a socket: bash would take itself for a remote shell and read the system bashrc.
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
      child.on('error', reject);
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    });
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^org: urn:vcloud:org:[0-9a-f-]{36}$/m);
    expect(out).toContain('"namespace": "vdc-acme-dev"');
    expect(out).toMatch(/^fedora-server-small\t\S+$/m);
    expect(out).toMatch(/^web\tPOWERED_ON\t\d+\.\d+\.\d+\.\d+$/m);
    expect(out).toMatch(/^DELETING$/m);
    expect(out.trimEnd().endsWith('done')).toBe(true);
    // The cluster is clean again (the VDC namespace is gone) and the server logged no error.
    const kc = new KubeConfig();
    kc.loadFromFile(cluster!.kubeconfigPath);
    const names = (await kc.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).not.toContain('vdc-acme-dev');
    expect(server!.output.join('\n')).not.toMatch(/"level":50/);
  }, 180_000);
});
