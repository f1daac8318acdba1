/**
 * A world for vApp/VM tests against the simulated cluster: the VDC world (orgs Acme and Beta
 * and their users), a catalog in Acme, VDCs whose namespaces exist in the simulator, and helpers
 * to instantiate, poll the API and wait for tasks.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';
import type { ClusterRuntime } from '#lib/k8s/runtime.ts';
import { seedCatalog, seedVdc } from './fixtures.ts';
import { vdcWorld, type VdcWorld } from './vdc-world.ts';
import { findVdc } from '#db/queries/vdcs.ts';
import { findOrg } from '#db/queries/orgs.ts';
import { until } from './wait.ts';

export type ClusterApp = TestApp & { runtime: ClusterRuntime };

const enc = encodeURIComponent;
export const vappPath = (id: string) => `/cloudapi/1.0.0/vapps/${enc(id.startsWith('urn:') ? id : `urn:vcloud:vapp:${id}`)}`;
export const vmPath = (id: string) => `/cloudapi/1.0.0/vms/${enc(id.startsWith('urn:') ? id : `urn:vcloud:vm:${id}`)}`;
export const instantiatePath = (vdcId: string) => `/cloudapi/1.0.0/vdcs/${enc(`urn:vcloud:vdc:${vdcId}`)}/actions/instantiateTemplate`;

/** Seeds a READY VDC in an org and creates its namespace, quota and policy in the simulator. */
export async function clusterVdc(t: ClusterApp, orgId: string, name: string, extra: Parameters<typeof seedVdc>[3] = {}) {
  const row = seedVdc(t.db, orgId, name, { namespace: `vdc-x-${randomUUID().slice(0, 8)}`, ...extra });
  await t.runtime.applyVdc(findVdc(t.db, row.id)!, findOrg(t.db, orgId)!);
  return row;
}

export interface VappWorld extends VdcWorld {
  catalog: ReturnType<typeof seedCatalog>;
  vdc: Awaited<ReturnType<typeof clusterVdc>>;
}

/** The VDC world plus a catalog and a VDC (with namespace) in Acme. */
export async function vappWorld(t: ClusterApp): Promise<VappWorld> {
  const w = await vdcWorld(t);
  const catalog = seedCatalog(t.db, w.acme.id, 'acme-catalog');
  const vdc = await clusterVdc(t, w.acme.id, 'dev');
  await t.runtime.waitForSync(5_000);
  return { ...w, catalog, vdc };
}

/** Polls `fn` until it returns a truthy value (bounded): `until` of wait.ts, in this file's argument order. */
export function waitFor<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  return until(what, fn, { timeoutMs }) as Promise<NonNullable<T>>;
}

/** Instantiates through the API and expects 201; returns the vApp JSON. */
export async function instantiateOk(t: TestApp, token: string, vdcId: string, body: Record<string, unknown>): Promise<any> {
  const res = await t.request('POST', instantiatePath(vdcId), { token, body: { catalogItem: { name: 'fedora-server-small' }, ...body } });
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json;
}

/** Waits until GET of the vApp shows `status` (and returns the vApp). */
export async function waitVappStatus(t: TestApp, token: string, id: string, status: string, timeoutMs = 10_000): Promise<any> {
  return waitFor(async () => {
    const res = await t.request('GET', vappPath(id), { token });
    const v: any = res.status === 200 ? await res.json() : undefined;
    return v?.status === status ? v : undefined;
  }, `vApp ${id} ${status}`, timeoutMs);
}

/** Waits until the task (by its Location) is no longer running; returns it. */
export async function waitTask(t: TestApp, token: string, location: string, timeoutMs = 10_000): Promise<any> {
  const path = new URL(location).pathname;
  return waitFor(async () => {
    const res = await t.request('GET', path, { token });
    const task: any = await res.json();
    return task.status !== 'running' ? task : undefined;
  }, `task ${location}`, timeoutMs);
}
