/**
 * The deployment artefacts without a cluster: manifests/ (kustomize base and OpenShift overlay),
 * the Containerfile, and how they agree with each other, with kubernetes.md's RBAC table and with
 * the server (routes, configuration, package scripts).
 */
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { scanRoutes } from '#lib/http/routes.ts';
import { ConfigSchema, loadConfig } from '#lib/config.ts';
import { SHUTDOWN_GRACE_MS } from '#lib/shutdown.ts';
import { budgetProblem } from '#lib/memory-budget.ts';
import { SCRYPT_DEFAULT } from '#lib/auth/password.ts';
import { parseQuantity } from '#lib/k8s/quantity.ts';
import pkg from '../../package.json' with { type: 'json' };
import { byKey, parseYamlDocs, readYamlDocs, render, type K8sObject } from './kustomize.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MANIFESTS = join(ROOT, 'manifests');
const SHARED_RBAC = resolve(ROOT, '../shared/kubernetes.md');
const COPY_RBAC = join(ROOT, 'test/manifests/kubernetes.md');

const base = render(MANIFESTS);
const openshift = render(join(MANIFESTS, 'openshift'));

const one = (objects: K8sObject[], kind: string, name?: string): K8sObject => {
  const hits = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
  expect(hits, `${kind} ${name ?? ''}`).toHaveLength(1);
  return hits[0]!;
};

// ---- Containerfile ---------------------------------------------------------------------------

interface Instruction { cmd: string; args: string }
/** Instructions per stage (continuations joined, comments dropped). */
function containerfileStages(text: string): Instruction[][] {
  const joined = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'FROM') stages.push([]);
    stages.at(-1)!.push({ cmd: m[1]!, args: m[2]!.trim().replace(/\s+/g, ' ') });
  }
  return stages;
}
const containerfile = containerfileStages(readFileSync(join(ROOT, 'Containerfile'), 'utf8'));
const finalStage = containerfile.at(-1)!;
const args = (stage: Instruction[], cmd: string) => stage.filter((i) => i.cmd === cmd).map((i) => i.args);
const imageEnv = Object.fromEntries(args(finalStage, 'ENV').flatMap((a) => [...a.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1], m[2]!.replace(/^"|"$/g, '')])));

// ---- kubernetes.md's permissions table --------------------------------------------------------

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }
function rbacTable(markdown: string): Rule[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Permissions'));
  if (!section) throw new Error('kubernetes.md has no "Permissions" section');
  const rows = section.split('\n').filter((l) => /^\|/.test(l)).slice(2); // header, separator
  const list = (cell: string) => cell.split(',').map((s) => s.trim()).filter(Boolean);
  return rows.map((row) => {
    const cells = row.split('|').slice(1, -1).map((c) => c.trim());
    // apiGroups | resources | verbs | why: every rule must say what it is for.
    expect(cells, row).toHaveLength(4);
    expect(cells[3], row).not.toBe('');
    const group = cells[0]!.replace(/`/g, '');
    return { apiGroups: [group === '""' ? '' : group], resources: list(cells[1]!), verbs: list(cells[2]!) };
  });
}

describe('manifests/ raw files', () => {
  const files = readdirSync(MANIFESTS, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f));

  it('every YAML file parses, and every object has apiVersion, kind and a name', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) {
      const docs = readYamlDocs(join(MANIFESTS, f));
      expect(docs.length, f).toBeGreaterThan(0);
      if (f.endsWith('kustomization.yaml')) continue;
      for (const d of docs) {
        expect(typeof d.apiVersion, f).toBe('string');
        expect(typeof d.kind, f).toBe('string');
        expect(d.metadata?.name, f).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }
    }
  });

  it('every kustomization lists only files and folders that exist, and every manifest is listed', () => {
    const listed = new Set<string>();
    for (const f of files.filter((x) => x.endsWith('kustomization.yaml'))) {
      const k = parse(readFileSync(join(MANIFESTS, f), 'utf8'));
      for (const r of k.resources) {
        const p = resolve(MANIFESTS, dirname(f), r);
        expect(existsSync(p), `${f}: ${r}`).toBe(true);
        listed.add(p);
      }
    }
    for (const f of files.filter((x) => !x.endsWith('kustomization.yaml'))) expect(listed.has(join(MANIFESTS, f)), f).toBe(true);
  });
});

describe('kustomize output', () => {
  it('the base renders the pod and what it needs, all in namespace ssvirt', () => {
    expect(base.map((o) => o.kind).sort()).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'PersistentVolumeClaim', 'Service', 'ServiceAccount'],
    );
    for (const o of base) {
      if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) expect(o.metadata.namespace, o.kind).toBeUndefined();
      else expect(o.metadata.namespace, o.kind).toBe('ssvirt');
    }
    expect(one(base, 'Namespace').metadata.name).toBe('ssvirt');
  });

  it('the OpenShift overlay is the base plus a Route', () => {
    expect(openshift.map((o) => o.kind).sort()).toEqual([...base.map((o) => o.kind), 'Route'].sort());
  });

  it('our own namespace is not labelled as an object SSVirt manages (the reconciler looks for those)', () => {
    for (const o of openshift) expect(o.metadata.labels?.['app.kubernetes.io/managed-by'], o.kind).toBeUndefined();
  });

  const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
  it.skipIf(!kubectl)('equals `kubectl kustomize` (when kubectl is installed)', () => {
    for (const [dir, ours] of [[MANIFESTS, base], [join(MANIFESTS, 'openshift'), openshift]] as const) {
      const out = execFileSync(kubectl!, ['kustomize', dir], { encoding: 'utf8' });
      const theirs = byKey(parseYamlDocs(out, `kubectl kustomize ${dir}`) as K8sObject[]);
      expect(theirs).toEqual(byKey(ours));
    }
  });
});

describe('RBAC', () => {
  it('the ClusterRole equals the table in kubernetes.md, rule for rule (no wildcard, nothing more)', () => {
    const table = rbacTable(readFileSync(existsSync(SHARED_RBAC) ? SHARED_RBAC : COPY_RBAC, 'utf8'));
    expect(table).toHaveLength(12);
    const role = one(base, 'ClusterRole', 'ssvirt');
    expect(Object.keys(role).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'rules']);
    expect(role.rules).toEqual(table);
    const flat = JSON.stringify(role.rules);
    expect(flat).not.toContain('*');
    expect(flat).not.toMatch(/"pods"|"nodes"/);
  });

  it.skipIf(!existsSync(SHARED_RBAC))('the committed copy of kubernetes.md equals ../shared/kubernetes.md', () => {
    expect(readFileSync(COPY_RBAC, 'utf8')).toBe(readFileSync(SHARED_RBAC, 'utf8'));
  });

  it('binds the ClusterRole to the ServiceAccount the pod runs as', () => {
    const binding = one(base, 'ClusterRoleBinding', 'ssvirt');
    const sa = one(base, 'ServiceAccount');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ssvirt' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    expect(one(base, 'Deployment').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
    // No other Role or binding sneaks in more rights.
    expect(openshift.filter((o) => /Role/.test(o.kind)).map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });
});

describe('Deployment', () => {
  const dep = one(base, 'Deployment', 'ssvirt');
  const pod = dep.spec.template.spec;
  const container = pod.containers[0];

  it('runs one replica with the Recreate strategy (SQLite has one writer)', () => {
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.strategy).toEqual({ type: 'Recreate' });
    expect(pod.containers).toHaveLength(1);
    expect(dep.spec.selector.matchLabels).toEqual(
      Object.fromEntries(Object.entries(dep.spec.template.metadata.labels).filter(([k]) => k in dep.spec.selector.matchLabels)),
    );
  });

  it('has the restricted security context', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
  });

  it('probes routes that exist: liveness and start-up /healthz, readiness /readyz, on the container port', () => {
    const gets = new Set(scanRoutes().filter((r) => r.method === 'GET').map((r) => r.path));
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const get = container[probe].httpGet;
      expect(gets.has(get.path), `${probe} ${get.path}`).toBe(true);
      expect(container.ports.find((p: any) => p.name === get.port)?.containerPort, probe).toBe(8080);
    }
  });

  it('requests 100m CPU and 192Mi, limits memory to 512Mi', () => {
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '192Mi' }, limits: { memory: '512Mi' } });
  });

  it('sizes V8\'s heap so heap, password hashing and the baseline fit the memory limit', () => {
    const nodeOptions = container.env.find((e: any) => e.name === 'NODE_OPTIONS')?.value as string;
    const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1]);
    expect(heapMiB).toBeGreaterThan(64);
    const config = loadConfig(one(base, 'ConfigMap', 'ssvirt-config').data as Record<string, string>);
    const limitBytes = parseQuantity(container.resources.limits.memory)!;
    // V8's heap limit is the old space plus the young generation: Node 20 adds 48 MiB (measured:
    // --max-old-space-size=160 gives heap_size_limit 208 MiB).
    const budget = { limitBytes, heapLimitBytes: (heapMiB + 48) * 2 ** 20, hashingBytes: config.passwordHashConcurrency * 128 * SCRYPT_DEFAULT.N * SCRYPT_DEFAULT.r };
    expect(budgetProblem(budget)).toBeUndefined();
  });

  it('gives SIGTERM time: the grace period exceeds the server\'s in-flight bound', () => {
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS / 1000 + 5);
  });

  it('writes only to /data (the PVC) and /tmp (emptyDir): the root filesystem is read-only', () => {
    expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes.data.persistentVolumeClaim.claimName).toBe(one(base, 'PersistentVolumeClaim').metadata.name);
    expect(volumes.tmp.emptyDir).toBeDefined();
    expect(one(base, 'PersistentVolumeClaim').spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  it('takes the first admin password from a Secret and everything else from the ConfigMap (beside Node\'s heap size)', () => {
    expect(container.env).toEqual([
      { name: 'SSVIRT_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'ssvirt-admin', key: 'password' } } },
      { name: 'NODE_OPTIONS', value: expect.stringMatching(/^--max-old-space-size=\d+$/) },
    ]);
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'ssvirt-config' } }]);
    // The operator creates the Secret: none is shipped (no password in the repository).
    expect(openshift.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('the ConfigMap holds only known SSVIRT_* variables, with values the server accepts, and no secrets', () => {
    const data = one(base, 'ConfigMap', 'ssvirt-config').data as Record<string, string>;
    const known = Object.keys(ConfigSchema.entries);
    for (const key of Object.keys(data)) expect(known, key).toContain(key);
    expect(Object.keys(data)).not.toContain('SSVIRT_ADMIN_PASSWORD');
    const config = loadConfig(data);
    expect(config.port).toBe(8080);
    expect(config.dbPath).toBe('/data/ssvirt.db');
  });
});

describe('Containerfile and manifests agree', () => {
  const dep = one(base, 'Deployment', 'ssvirt');
  const container = dep.spec.template.spec.containers[0];
  const data = one(base, 'ConfigMap', 'ssvirt-config').data as Record<string, string>;

  it('is multi-stage on node:20-bookworm-slim: build with npm ci + build + prune, run the bundle', () => {
    expect(containerfile.length).toBeGreaterThanOrEqual(2);
    for (const stage of containerfile) expect(args(stage, 'FROM')[0]).toMatch(/^node:20-bookworm-slim\b/);
    const build = containerfile[0]!.filter((i) => i.cmd === 'RUN').map((i) => i.args).join(' && ');
    expect(build).toContain('npm ci');
    expect(build).toContain('npm run build');
    expect(build).toContain('npm prune --omit=dev');
    // Only the bundle, production node_modules and package.json reach the final image.
    expect(args(finalStage, 'COPY')).toEqual([
      '--from=build /app/package.json ./package.json',
      '--from=build /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist',
    ]);
  });

  it('runs as a numeric non-root user (so runAsNonRoot can check it)', () => {
    const user = args(finalStage, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^[1-9]\d*$/);
  });

  it('starts node directly (exec form) on the production bundle, which the Deployment does not override', () => {
    expect(JSON.parse(args(finalStage, 'ENTRYPOINT')[0]!)).toEqual(['node', 'dist/server.mjs']);
    expect(pkg.scripts['start:prod']).toBe('node dist/server.mjs');
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
  });

  it('port: EXPOSE = SSVIRT_PORT = containerPort; the Service maps 80 to it, and exposes the metrics port', () => {
    expect(args(finalStage, 'EXPOSE')).toEqual(['8080 9464']);
    expect(imageEnv.SSVIRT_PORT).toBe('8080');
    expect(data.SSVIRT_PORT).toBe('8080');
    expect(data.SSVIRT_METRICS_PORT).toBe('9464');
    expect(loadConfig({}).metricsPort).toBe(9464);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    const svc = one(base, 'Service', 'ssvirt');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
  });

  it('volume: VOLUME /data holds SSVIRT_DB_PATH, and the PVC is mounted there', () => {
    expect(args(finalStage, 'VOLUME')).toEqual(['/data']);
    expect(dirname(imageEnv.SSVIRT_DB_PATH!)).toBe('/data');
    expect(dirname(data.SSVIRT_DB_PATH!)).toBe('/data');
    expect(container.volumeMounts.find((m: any) => m.name === 'data').mountPath).toBe('/data');
  });

  it('image: the Deployment\'s image is the one the README builds, tagged with the package version', () => {
    expect(container.image).toBe(`localhost/ssvirt:${pkg.version}`);
  });

  it('the build context leaves out local state', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', 'data', '.git', '*.db']) expect(ignored, p).toContain(p);
  });
});

describe('OpenShift overlay', () => {
  it('adds a Route with edge TLS to the Service\'s http port', () => {
    const route = one(openshift, 'Route', 'ssvirt');
    expect(route.apiVersion).toBe('route.openshift.io/v1');
    expect(route.metadata.namespace).toBe('ssvirt');
    expect(route.spec.to).toEqual({ kind: 'Service', name: 'ssvirt', weight: 100 });
    expect(route.spec.tls).toEqual({ termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' });
    const svc = one(openshift, 'Service', 'ssvirt');
    expect(svc.spec.ports.map((p: any) => p.name)).toContain(route.spec.port.targetPort);
    // Metrics carry no authentication on their port: never reachable from outside the cluster.
    expect(route.spec.port.targetPort).toBe('http');
  });

  it('leaves fsGroup to the restricted SCC and keeps the rest of the security context', () => {
    const pod = one(openshift, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual(one(base, 'Deployment').spec.template.spec.containers[0].securityContext);
    expect(one(base, 'Deployment').spec.template.spec.securityContext.fsGroup).toBe(10001);
  });
});

describe('monitoring overlay', () => {
  it('scrapes the Service\'s metrics port, which serves /metrics', () => {
    const monitoring = render(join(MANIFESTS, 'monitoring'));
    const sm = one(monitoring, 'ServiceMonitor', 'ssvirt');
    expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm.metadata.namespace).toBe('ssvirt');
    const svc = one(base, 'Service', 'ssvirt');
    expect(sm.spec.selector.matchLabels).toEqual(svc.metadata.labels);
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(svc.spec.ports.map((p: any) => p.name)).toContain('metrics');
  });
});
