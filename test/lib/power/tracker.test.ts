import { beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { makeTestApp, type TestApp } from '#test/support/app.ts';
import { seedOrg, seedTask, seedVapp, seedVdc, seedVm } from '#test/support/fixtures.ts';
import { TaskTracker, powerOperation } from '#lib/power/tracker.ts';
import { findVm, updateVm, type VmRow } from '#db/queries/vms.ts';
import { findTask } from '#db/queries/tasks.ts';
import { updateVapp } from '#db/queries/vapps.ts';
import type { Cluster } from '#lib/k8s/cluster.ts';
import type { PowerAction } from '#lib/k8s/power.ts';
import type { VmStatus } from '#db/status.ts';

/** Just the part of a cluster the tracker uses: VM change events and power calls. */
function fakeCluster() {
  const listeners = new Set<(vm: VmRow) => void>();
  const calls: [string, PowerAction][] = [];
  const k8s = {
    onVmChange(l: (vm: VmRow) => void) { listeners.add(l); return () => listeners.delete(l); },
    async power(vm: VmRow, action: PowerAction) { calls.push([vm.name, action]); return { rest: Promise.resolve(undefined) }; },
  } as unknown as Cluster;
  return { k8s, calls, emit: (vm: VmRow) => { for (const l of listeners) l(vm); } };
}

const log = { warn() {}, debug() {}, info() {} } as never;
const tick = () => new Promise((r) => setTimeout(r, 5));

let t: TestApp;
let vm: ReturnType<typeof seedVm>;
let vapp: ReturnType<typeof seedVapp>;
let org: ReturnType<typeof seedOrg>;
let fake: ReturnType<typeof fakeCluster>;

beforeEach(async () => {
  t = await makeTestApp();
  org = seedOrg(t.db, 'Acme');
  const vdc = seedVdc(t.db, org.id, 'dev');
  vapp = seedVapp(t.db, vdc, randomUUID(), 'web', { status: 'POWERED_OFF' });
  vm = seedVm(t.db, vapp, vdc.namespace, 'web-1', { status: 'POWERED_ON' });
  fake = fakeCluster();
});

function task(op: string, ownerId: string, startTime = Date.now()) {
  return findTask(t.db, seedTask(t.db, { orgId: org.id, userId: randomUUID(), ownerId, operationName: op, startTime }).id)!;
}
function set(status: VmStatus, message: string | null = null) {
  updateVm(t.db, vm.id, { status, statusMessage: message });
  fake.emit(findVm(t.db, vm.id)!);
}

describe('TaskTracker', () => {
  it('ends a power task success when the VM reaches the target status', async () => {
    const tr = new TaskTracker(t.db, fake.k8s, log, 60_000);
    const tk = task('vmPowerOff', vm.id);
    tr.watchPower(tk, [vm.id], 'powerOff');
    await tick();
    expect(findTask(t.db, tk.id)!.status).toBe('running');
    set('POWERING_OFF');
    await tick();
    expect(findTask(t.db, tk.id)!.status).toBe('running');
    set('POWERED_OFF');
    await tick();
    expect(findTask(t.db, tk.id)).toMatchObject({ status: 'success', progress: 100 });
    expect(tr.size).toBe(0);
  });

  it('does not count a reboot done until the VM has left POWERED_ON', async () => {
    const tr = new TaskTracker(t.db, fake.k8s, log, 60_000);
    const tk = task('vmReboot', vm.id);
    tr.watchPower(tk, [vm.id], 'reboot');
    set('POWERED_ON');
    await tick();
    expect(findTask(t.db, tk.id)!.status).toBe('running');
    set('POWERING_OFF');
    set('POWERING_ON');
    await tick();
    expect(findTask(t.db, tk.id)!.status).toBe('running');
    set('POWERED_ON');
    await tick();
    expect(findTask(t.db, tk.id)!.status).toBe('success');
  });

  it('ends in error with the reason when the VM fails, or when it is deleted', async () => {
    const tr = new TaskTracker(t.db, fake.k8s, log, 60_000);
    const tk = task('vmPowerOn', vm.id);
    updateVm(t.db, vm.id, { status: 'POWERED_OFF' });
    tr.watchPower(tk, [vm.id], 'powerOn');
    set('FAILED', 'ErrImagePull');
    await tick();
    expect(findTask(t.db, tk.id)).toMatchObject({ status: 'error', errorMessage: 'VM web-1 failed: ErrImagePull' });
    const gone = task('vmPowerOn', randomUUID());
    tr.watchPower(gone, [gone.ownerId], 'powerOn');
    await tick();
    expect(findTask(t.db, gone.id)!.status).toBe('error');
  });

  it('ends in error at the deadline', async () => {
    const tr = new TaskTracker(t.db, fake.k8s, log, 30);
    const tk = task('vmPowerOff', vm.id);
    tr.watchPower(tk, [vm.id], 'powerOff');
    await new Promise((r) => setTimeout(r, 60));
    expect(findTask(t.db, tk.id)).toMatchObject({ status: 'error', errorMessage: 'The VM did not reach POWERED_OFF in time' });
  });

  it('on resume, ends overdue tasks and watches the others again', async () => {
    const tr = new TaskTracker(t.db, fake.k8s, log, 10_000);
    const overdue = task(powerOperation('vm', 'powerOff'), vm.id, Date.now() - 20_000);
    const live = task(powerOperation('vapp', 'powerOff'), vapp.id);
    const other = task('orgDelete', org.id, Date.now() - 20_000);
    tr.resume();
    await tick();
    expect(findTask(t.db, overdue.id)).toMatchObject({ status: 'error', errorMessage: expect.stringContaining('restarted') });
    expect(findTask(t.db, live.id)!.status).toBe('running');
    expect(findTask(t.db, other.id)!.status).toBe('running');
    set('POWERED_OFF');
    await tick();
    expect(findTask(t.db, live.id)!.status).toBe('success');
    tr.stop();
  });

  it('deploy: powers VMs on as they appear stopped and succeeds when the vApp is POWERED_ON', async () => {
    const tr = new TaskTracker(t.db, fake.k8s, log, 10_000);
    const tk = task('vappDeploy', vapp.id);
    updateVm(t.db, vm.id, { status: 'POWERING_ON' });
    tr.watchDeploy(tk, vapp.id);
    expect(fake.calls).toEqual([]);
    set('POWERED_OFF');
    set('POWERED_OFF');
    expect(fake.calls).toEqual([['web-1', 'powerOn']]);
    updateVapp(t.db, vapp.id, { status: 'POWERED_ON' });
    set('POWERED_ON');
    await tick();
    expect(findTask(t.db, tk.id)!.status).toBe('success');
  });
});
