/**
 * KubeVirt instancetypes: a VirtualMachine may leave CPU and memory out of its domain and name a
 * `VirtualMachineClusterInstancetype` (cluster-scoped, the default kind) or a
 * `VirtualMachineInstancetype` (in the VM's own namespace) in `spec.instancetype`; KubeVirt then
 * takes `spec.cpu.guest` and `spec.memory.guest` from it. The catalog and the VM rows read the same
 * figures from the instancetype informers' caches (docs/kubernetes.md "CPU and memory").
 */
import { substitute } from './template-params.ts';
import { parseQuantity } from './quantity.ts';

type Obj = Record<string, any>;

export const INSTANCETYPE_KIND = {
  cluster: 'VirtualMachineClusterInstancetype',
  namespaced: 'VirtualMachineInstancetype',
} as const;
export type InstancetypeKind = (typeof INSTANCETYPE_KIND)[keyof typeof INSTANCETYPE_KIND];

export interface InstancetypeRef {
  kind: InstancetypeKind;
  name: string;
  /** Only for the namespaced kind: the VM's namespace (unknown for a template not yet instantiated). */
  namespace?: string;
}

export interface InstancetypeSize {
  cpus: number | null;
  memoryBytes: number | null;
}

/** Finds an instancetype object in a cache; undefined when it is not (or not yet) known. */
export type InstancetypeLookup = (ref: InstancetypeRef) => Obj | undefined;

/**
 * The instancetype a VirtualMachine names, with `${P}` replaced from `values`; undefined when it
 * names none, names an unknown kind, or its name is a parameter without a value.
 */
export function instancetypeRef(vm: Obj, values: ReadonlyMap<string, string> = new Map(), namespace?: string): InstancetypeRef | undefined {
  const spec = vm?.spec?.instancetype;
  if (!spec || typeof spec !== 'object') return undefined;
  const kind = spec.kind ?? INSTANCETYPE_KIND.cluster;
  const name = substitute(spec.name, values);
  if (!name) return undefined;
  if (kind === INSTANCETYPE_KIND.cluster) return { kind, name };
  if (kind === INSTANCETYPE_KIND.namespaced) return { kind, name, namespace };
  return undefined;
}

/** CPU count and memory an instancetype gives a VM; null for what it does not say. */
export function instancetypeSize(it: Obj | undefined): InstancetypeSize {
  const guest = it?.spec?.cpu?.guest;
  const cpus = typeof guest === 'number' && Number.isInteger(guest) && guest > 0 ? guest : null;
  return { cpus, memoryBytes: parseQuantity(it?.spec?.memory?.guest) ?? null };
}

/**
 * The size of the instancetype a VM references, when it references one: `undefined` means the VM
 * names none (its domain says), nulls mean it names one we cannot resolve (never invented).
 */
export function referencedSize(vm: Obj, lookup: InstancetypeLookup | undefined, values?: ReadonlyMap<string, string>, namespace?: string): InstancetypeSize | undefined {
  if (!vm?.spec?.instancetype) return undefined;
  const ref = instancetypeRef(vm, values, namespace);
  if (!ref || !lookup || (ref.kind === INSTANCETYPE_KIND.namespaced && !ref.namespace)) return { cpus: null, memoryBytes: null };
  return instancetypeSize(lookup(ref));
}
