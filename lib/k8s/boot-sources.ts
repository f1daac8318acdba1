/**
 * Boot sources of VM templates: the CDI `DataSource` a template's VirtualMachine clones its root
 * disk from (`spec.dataVolumeTemplates[].spec.sourceRef`, kind DataSource). A template whose
 * DataSource is missing or not Ready gives a VM that never leaves `Provisioning`, so the catalog
 * shows such an item UNAVAILABLE and instantiation refuses it (docs/kubernetes.md "Boot sources").
 */

import { substitute } from './template-params.ts';

type Obj = Record<string, any>;

export interface BootSourceRef {
  namespace: string;
  name: string;
}

export interface BootSourceState {
  ready: boolean;
  /** Why it is not ready (names the DataSource); empty when ready. */
  reason: string;
}

/**
 * The DataSource a template's VMs boot from, with `${P}` / `${{P}}` replaced from `values`;
 * undefined when no VM clones from a DataSource, or when a parameter it uses has no value (it is
 * then the caller's or the generator's to say, and nothing can be checked beforehand).
 * `defaultNamespace` is used for a sourceRef without a namespace (CDI takes the VM's own).
 */
export function bootSourceRef(template: Obj, values: ReadonlyMap<string, string>, defaultNamespace?: string): BootSourceRef | undefined {
  for (const vm of template.objects ?? []) {
    if (vm?.kind !== 'VirtualMachine') continue;
    for (const dv of vm?.spec?.dataVolumeTemplates ?? []) {
      const ref = dv?.spec?.sourceRef;
      if (!ref || (ref.kind ?? 'DataSource') !== 'DataSource') continue;
      const name = substitute(ref.name, values);
      const namespace = ref.namespace === undefined ? defaultNamespace : substitute(ref.namespace, values);
      if (!name || !namespace) return undefined;
      return { namespace, name };
    }
  }
  return undefined;
}

/** Whether a DataSource (or its absence) can serve as a boot source, with the reason if not. */
export function dataSourceState(ref: BootSourceRef, ds: Obj | undefined): BootSourceState {
  const what = `boot source DataSource ${ref.namespace}/${ref.name}`;
  if (!ds) return { ready: false, reason: `${what} does not exist` };
  const cond = (ds.status?.conditions ?? []).find((c: Obj) => c?.type === 'Ready');
  if (cond?.status === 'True') return { ready: true, reason: '' };
  const why = [cond?.reason, cond?.message].filter(Boolean).join(': ');
  return { ready: false, reason: `${what} is not Ready${why ? ` (${why})` : ''}` };
}
