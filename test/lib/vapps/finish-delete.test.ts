import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp } from '#test/support/app.ts';
import { seedOrg, seedTask, seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { finishVappDeletion } from '#lib/vapps/finish-delete.ts';
import { findVapp } from '#db/queries/vapps.ts';
import { findVm } from '#db/queries/vms.ts';
import { findTask } from '#db/queries/tasks.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';

function cluster(remain: () => boolean) {
  const asked: string[] = [];
  const k8s = { async vappObjectsRemain(ns: string, name: string) { asked.push(`${ns}/${name}`); return remain(); } } as unknown as Cluster;
  return { k8s, asked };
}

describe('finishVappDeletion', () => {
  it('keeps a DELETING row while objects remain, then deletes it with its VMs and ends its delete tasks', async () => {
    const t = await makeTestApp();
    const org = seedOrg(t.db, 'Acme');
    const vdc = seedVdc(t.db, org.id, 'dev');
    const vapp = seedVapp(t.db, vdc, randomUUID(), 'web', { status: 'DELETING' });
    const vm = seedVm(t.db, vapp, vdc.namespace, 'web-1');
    const task = seedTask(t.db, { orgId: org.id, userId: randomUUID(), ownerId: vapp.id, operationName: 'vappDelete' });
    const other = seedTask(t.db, { orgId: org.id, userId: randomUUID(), ownerId: vapp.id, operationName: 'vappPowerOff' });
    let remain = true;
    const c = cluster(() => remain);
    expect(await finishVappDeletion(t.db, c.k8s, vapp)).toBe(false);
    expect(c.asked).toEqual([`${vdc.namespace}/web`]);
    expect(findVapp(t.db, vapp.id)).toBeDefined();
    remain = false;
    expect(await finishVappDeletion(t.db, c.k8s, vapp)).toBe(true);
    expect(findVapp(t.db, vapp.id)).toBeUndefined();
    expect(findVm(t.db, vm.id)).toBeUndefined();
    expect(findTask(t.db, task.id)!.status).toBe('success');
    expect(findTask(t.db, other.id)!.status).toBe('running');
    expect(await finishVappDeletion(t.db, c.k8s, vapp)).toBe(true);
  });

  it('leaves a vApp that is not DELETING alone', async () => {
    const t = await makeTestApp();
    const org = seedOrg(t.db, 'Acme');
    const vdc = seedVdc(t.db, org.id, 'dev');
    const vapp = seedVapp(t.db, vdc, randomUUID(), 'web', { status: 'POWERED_OFF' });
    const c = cluster(() => false);
    expect(await finishVappDeletion(t.db, c.k8s, vapp)).toBe(false);
    expect(c.asked).toEqual([]);
    expect(findVapp(t.db, vapp.id)).toBeDefined();
  });
});
