/**
 * subresources.kubevirt.io actions. KubeVirt's virt-api does its own work behind these; here each
 * one records the request on the stored objects so a KubeVirt controller (test/cluster/controllers)
 * can act on it, and answers with virt-api's status codes (202 for start/stop/restart, 200 for
 * pause/unpause, 409 when the action makes no sense in the current state):
 * - start: `spec.runStrategy: Always` (or `spec.running: true` when the VM uses `running`)
 * - stop: `spec.runStrategy: Halted` (or `spec.running: false`); a `gracePeriod` in the body is kept
 *   in the VM annotation `sim.ssvirt.io/stop-grace-period-seconds`
 * - restart: VM annotation `sim.ssvirt.io/restart-requested: <RFC 3339 time + counter>` (and
 *   `sim.ssvirt.io/restart-grace-period-seconds` when `gracePeriodSeconds` is given)
 * - pause / unpause: VMI annotation `sim.ssvirt.io/pause-requested: "true"` set / removed
 */
import { ApiError, errors, failure } from './errors.ts';
import { findResource } from './resources.ts';
import type { Registry } from './registry.ts';
import type { Obj } from './serialize.ts';

const VM = findResource('kubevirt.io', 'v1', 'virtualmachines')!;
const VMI = findResource('kubevirt.io', 'v1', 'virtualmachineinstances')!;
const MANAGER = 'virt-api';
export const PAUSE_ANNOTATION = 'sim.ssvirt.io/pause-requested';
export const RESTART_ANNOTATION = 'sim.ssvirt.io/restart-requested';
export const STOP_GRACE_ANNOTATION = 'sim.ssvirt.io/stop-grace-period-seconds';
export const RESTART_GRACE_ANNOTATION = 'sim.ssvirt.io/restart-grace-period-seconds';

let restartCounter = 0;

function conflict(kind: 'virtualmachine' | 'virtualmachineinstance', name: string, why: string): ApiError {
  return new ApiError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${kind}.kubevirt.io "${name}": ${why}`,
    { name, group: 'kubevirt.io', kind }));
}

function parseBody(raw: string): Obj {
  if (!raw.trim()) return {};
  try { const b = JSON.parse(raw); return b && typeof b === 'object' ? b : {}; } catch { throw errors.badRequest('Can not unmarshal Request body to struct'); }
}

function isPaused(vmi: Obj | undefined): boolean {
  return !!vmi && (vmi.metadata.annotations?.[PAUSE_ANNOTATION] === 'true'
    || (vmi.status?.conditions ?? []).some((c: Obj) => c.type === 'Paused' && c.status === 'True'));
}

/** Performs the action and returns the HTTP status to answer with. */
export function kubevirtAction(registry: Registry, action: string, ns: string, name: string, rawBody: string): number {
  const body = parseBody(rawBody);
  const store = registry.store;
  if (action.startsWith('virtualmachineinstances/')) {
    const vmi = store.get(VMI, ns, name);
    if (!vmi) throw errors.notFound(VMI, name);
    if (action.endsWith('/pause')) {
      if (vmi.status?.phase !== 'Running') throw conflict('virtualmachineinstance', name, 'VMI is not running');
      if (isPaused(vmi)) throw conflict('virtualmachineinstance', name, 'VMI is already paused');
      registry.mutate(VMI, vmi, (o) => { o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [PAUSE_ANNOTATION]: 'true' }; }, MANAGER);
    } else {
      if (!isPaused(vmi)) throw conflict('virtualmachineinstance', name, 'VMI is not paused');
      registry.mutate(VMI, vmi, (o) => {
        const a = { ...(o.metadata.annotations ?? {}) };
        delete a[PAUSE_ANNOTATION];
        o.metadata.annotations = a;
        if (Object.keys(a).length === 0) delete o.metadata.annotations;
      }, MANAGER);
    }
    return 200;
  }
  const vm = store.get(VM, ns, name);
  if (!vm) throw errors.notFound(VM, name);
  const vmi = store.get(VMI, ns, name);
  const usesRunning = vm.spec?.running !== undefined;
  const wantsRunning = usesRunning ? vm.spec.running === true : vm.spec?.runStrategy !== 'Halted';
  const vmiUp = !!vmi && !vmi.metadata.deletionTimestamp;
  switch (action) {
    case 'virtualmachines/start':
      if (wantsRunning && vmiUp) throw conflict('virtualmachine', name, 'VM is already running');
      registry.mutate(VM, vm, (o) => { if (usesRunning) o.spec.running = true; else o.spec.runStrategy = 'Always'; }, MANAGER);
      return 202;
    case 'virtualmachines/stop':
      if (!wantsRunning && !vmiUp) throw conflict('virtualmachine', name, 'VM is not running');
      registry.mutate(VM, vm, (o) => {
        if (usesRunning) o.spec.running = false; else o.spec.runStrategy = 'Halted';
        if (typeof body.gracePeriod === 'number') o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [STOP_GRACE_ANNOTATION]: String(body.gracePeriod) };
      }, MANAGER);
      return 202;
    case 'virtualmachines/restart':
      if (!vmiUp) throw conflict('virtualmachine', name, 'VM is not running');
      registry.mutate(VM, vm, (o) => {
        const a: Obj = { ...(o.metadata.annotations ?? {}), [RESTART_ANNOTATION]: `${new Date().toISOString()}#${++restartCounter}` };
        if (typeof body.gracePeriodSeconds === 'number') a[RESTART_GRACE_ANNOTATION] = String(body.gracePeriodSeconds);
        o.metadata.annotations = a;
      }, MANAGER);
      return 202;
    default:
      throw errors.notFound(VM, name);
  }
}
