/** OpenShift's readiness checks, one kind at a time. */
import { describe, expect, it } from 'vitest';
import { gvkKey, OPENSHIFT_READINESS_CHECKS, waitsForReady, type ReadinessContext } from './readiness.ts';

const check = (apiVersion: string, kind: string, obj: unknown, ctx: ReadinessContext = { buildsOf: async () => [] }) =>
  OPENSHIFT_READINESS_CHECKS.get(gvkKey(apiVersion, kind))!(obj, ctx);
const cond = (type: string, status: string, reason?: string) => ({ type, status, reason });

describe('OpenShift readiness checks', () => {
  it('knows the kinds OpenShift knows, and no others', () => {
    for (const [v, k] of [['apps/v1', 'Deployment'], ['apps/v1beta2', 'StatefulSet'], ['batch/v1', 'Job'], ['route.openshift.io/v1', 'Route'], ['v1', 'DeploymentConfig'], ['build.openshift.io/v1', 'BuildConfig']]) {
      expect(OPENSHIFT_READINESS_CHECKS.has(gvkKey(v, k)), `${v} ${k}`).toBe(true);
    }
    for (const [v, k] of [['kubevirt.io/v1', 'VirtualMachine'], ['cdi.kubevirt.io/v1beta1', 'DataVolume'], ['v1', 'Pod'], ['batch/v1', 'CronJob']]) {
      expect(OPENSHIFT_READINESS_CHECKS.has(gvkKey(v, k)), `${v} ${k}`).toBe(false);
    }
  });

  it('Deployment: ready on NewReplicaSetAvailable and Available, failed when Progressing is False, neither until observed', async () => {
    const d = (observedGeneration: number, conditions: unknown[]) => ({ metadata: { generation: 2 }, status: { observedGeneration, conditions } });
    expect(await check('apps/v1', 'Deployment', d(2, [cond('Progressing', 'True', 'NewReplicaSetAvailable'), cond('Available', 'True')]))).toEqual({ ready: true, failed: false });
    expect(await check('apps/v1', 'Deployment', d(2, [cond('Progressing', 'True', 'ReplicaSetUpdated'), cond('Available', 'True')]))).toEqual({ ready: false, failed: false });
    expect(await check('apps/v1', 'Deployment', d(2, [cond('Progressing', 'False', 'ProgressDeadlineExceeded')]))).toEqual({ ready: false, failed: true });
    expect(await check('apps/v1', 'Deployment', d(1, [cond('Progressing', 'False', 'ProgressDeadlineExceeded')]))).toEqual({ ready: false, failed: false });
  });

  it('Job: ready once completed, failed once a pod failed', async () => {
    expect(await check('batch/v1', 'Job', { status: { completionTime: '2026-01-01T00:00:00Z' } })).toEqual({ ready: true, failed: false });
    expect(await check('batch/v1', 'Job', { status: { failed: 1 } })).toEqual({ ready: false, failed: true });
    expect(await check('batch/v1', 'Job', { status: {} })).toEqual({ ready: false, failed: false });
  });

  it('StatefulSet: ready when all replicas are, never failed', async () => {
    const s = (ready: number) => ({ metadata: { generation: 1 }, spec: { replicas: 2 }, status: { observedGeneration: 1, readyReplicas: ready } });
    expect(await check('apps/v1', 'StatefulSet', s(2))).toEqual({ ready: true, failed: false });
    expect(await check('apps/v1', 'StatefulSet', s(1))).toEqual({ ready: false, failed: false });
  });

  it('Route: ready once it has a host; Build: by terminal phase', async () => {
    expect(await check('route.openshift.io/v1', 'Route', { spec: { host: 'a.example.com' } })).toEqual({ ready: true, failed: false });
    expect(await check('route.openshift.io/v1', 'Route', { spec: {} })).toEqual({ ready: false, failed: false });
    expect(await check('build.openshift.io/v1', 'Build', { status: { phase: 'Complete' } })).toEqual({ ready: true, failed: false });
    expect(await check('build.openshift.io/v1', 'Build', { status: { phase: 'Cancelled' } })).toEqual({ ready: false, failed: true });
    expect(await check('build.openshift.io/v1', 'Build', { status: { phase: 'Running' } })).toEqual({ ready: false, failed: false });
  });

  it('BuildConfig: decided by its Build numbered status.lastVersion', async () => {
    const builds = [
      { metadata: { annotations: { 'openshift.io/build.number': '1' } }, status: { phase: 'Failed' } },
      { metadata: { annotations: { 'openshift.io/build.number': '2' } }, status: { phase: 'Complete' } },
    ];
    const asked: string[] = [];
    const ctx: ReadinessContext = { buildsOf: async (ns, name) => (asked.push(`${ns}/${name}`), builds as never) };
    const bc = (lastVersion: number) => ({ metadata: { namespace: 'n', name: 'app' }, status: { lastVersion } });
    expect(await check('build.openshift.io/v1', 'BuildConfig', bc(2), ctx)).toEqual({ ready: true, failed: false });
    expect(await check('build.openshift.io/v1', 'BuildConfig', bc(1), ctx)).toEqual({ ready: false, failed: true });
    expect(await check('build.openshift.io/v1', 'BuildConfig', bc(3), ctx)).toEqual({ ready: false, failed: false });
    expect(asked).toEqual(['n/app', 'n/app', 'n/app']);
  });

  it('reads the wait-for-ready annotation case-insensitively', () => {
    expect(waitsForReady({ metadata: { annotations: { 'template.alpha.openshift.io/wait-for-ready': 'TRUE' } } })).toBe(true);
    expect(waitsForReady({ metadata: { annotations: { 'template.alpha.openshift.io/wait-for-ready': 'yes' } } })).toBe(false);
    expect(waitsForReady({ metadata: {} })).toBe(false);
  });
});
