/**
 * ResourceQuota: the quota controller's `status.hard`/`status.used` for the keys SSVirt sets, and
 * admission of object counts (`count/<resource>.<group>`), which a real server refuses with 403.
 * There are no pods here, so compute requests are taken from the VirtualMachineInstances (what their
 * launcher pods would request) and storage from the VirtualMachines' dataVolumeTemplates.
 */
import { ApiError, failure, qualified } from './errors.ts';
import { findResource, RESOURCES, type ResourceDef } from './resources.ts';
import type { Registry } from './registry.ts';
import type { Obj } from './serialize.ts';
import type { Store } from './store.ts';

const RQ = findResource('', 'v1', 'resourcequotas')!;
const VM = findResource('kubevirt.io', 'v1', 'virtualmachines')!;
const VMI = findResource('kubevirt.io', 'v1', 'virtualmachineinstances')!;

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(String(q ?? '').trim());
  if (!m) return 0;
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1);
}

function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function formatBytes(b: number): string {
  if (b === 0) return '0';
  for (const [s, f] of [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (b % f === 0) return `${b / f}${s}`;
  }
  return String(Math.round(b));
}

function vmiCpu(v: Obj): number {
  const d = v.spec?.domain ?? {};
  if (d.resources?.requests?.cpu !== undefined) return parseQuantity(d.resources.requests.cpu);
  const c = d.cpu ?? {};
  return (c.cores ?? 1) * (c.sockets ?? 1) * (c.threads ?? 1);
}

function vmiMemory(v: Obj): number {
  const d = v.spec?.domain ?? {};
  return parseQuantity(d.resources?.requests?.memory ?? d.memory?.guest ?? 0);
}

function vmStorage(vm: Obj): number {
  let sum = 0;
  for (const dv of vm.spec?.dataVolumeTemplates ?? []) {
    sum += parseQuantity(dv?.spec?.storage?.resources?.requests?.storage ?? dv?.spec?.pvc?.resources?.requests?.storage ?? 0);
  }
  return sum;
}

function countResource(key: string): ResourceDef | undefined {
  const m = /^count\/([^.]+)(?:\.(.+))?$/.exec(key);
  if (!m) return undefined;
  return RESOURCES.find((r) => r.plural === m[1] && r.group === (m[2] ?? ''));
}

export function usage(store: Store, ns: string, keys: string[]): Record<string, string> {
  const used: Record<string, string> = {};
  const vmis = [...store.list(VMI, ns)];
  for (const k of keys) {
    const counted = countResource(k);
    if (counted) { used[k] = String(store.count(counted, ns)); continue; }
    switch (k) {
      case 'requests.cpu': case 'cpu': used[k] = formatCpu(vmis.reduce((s, v) => s + vmiCpu(v), 0)); break;
      case 'requests.memory': case 'memory': used[k] = formatBytes(vmis.reduce((s, v) => s + vmiMemory(v), 0)); break;
      case 'requests.storage': used[k] = formatBytes([...store.list(VM, ns)].reduce((s, v) => s + vmStorage(v), 0)); break;
      default: used[k] = '0';
    }
  }
  return used;
}

/** Refuses a create that would exceed a `count/...` quota in the namespace. */
export function admitCount(store: Store, def: ResourceDef, obj: Obj): void {
  const ns = obj.metadata?.namespace;
  if (!ns) return;
  const key = `count/${def.plural}${def.group ? `.${def.group}` : ''}`;
  for (const q of store.list(RQ, ns)) {
    const hard = q.spec?.hard?.[key];
    if (hard === undefined) continue;
    const used = store.count(def, ns);
    if (used + 1 > parseQuantity(hard)) {
      throw new ApiError(failure(403, 'Forbidden',
        `${qualified(def)} "${obj.metadata.name}" is forbidden: exceeded quota: ${q.metadata.name}, requested: ${key}=1, used: ${key}=${used}, limited: ${key}=${hard}`,
        { name: obj.metadata.name, ...(def.group ? { group: def.group } : {}), kind: def.plural }));
    }
  }
}

/** Keeps every quota's status current, ~20 ms after anything in its namespace changes (batched). */
export function startQuotaController(store: Store, registry: Registry): () => void {
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    for (const ns of dirty) {
      for (const q of [...store.list(RQ, ns)]) {
        if (q.metadata.deletionTimestamp) continue;
        const hard = { ...(q.spec?.hard ?? {}) };
        const used = usage(store, ns, Object.keys(hard));
        const status = { hard, used };
        if (JSON.stringify(q.status) === JSON.stringify(status)) continue;
        registry.mutate(RQ, q, (n) => { n.status = status; }, 'kube-controller-manager', 'status');
      }
    }
    dirty.clear();
  };
  const unsubscribe = store.subscribe((ev) => {
    const ns = ev.obj.metadata?.namespace;
    if (!ns) return;
    if (ev.def === RQ && ev.type !== 'DELETED' && ev.prev && JSON.stringify(ev.prev.spec) === JSON.stringify(ev.obj.spec)) return;
    if (ev.def !== RQ && !store.list(RQ, ns).next().value) return;
    dirty.add(ns);
    timer ??= setTimeout(flush, 20);
  });
  return () => { unsubscribe(); if (timer) clearTimeout(timer); };
}
