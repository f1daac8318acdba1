/**
 * Which CustomResourceDefinition stands behind each custom resource the simulator serves, and so
 * whether it is served and which schema prunes it. A CRD stored through
 * `apiextensions.k8s.io/v1 customresourcedefinitions` wins (as on a real server, the stored object is
 * the truth, so a CRD that lost its schema flags on the way in prunes accordingly); otherwise, when the
 * simulator starts with its CRDs preinstalled, the manifest of `test/cluster/crds/` of that name.
 */
import { findResource, type ResourceDef } from './resources.ts';
import type { Obj } from './serialize.ts';
import type { Store } from './store.ts';
import type { StructuralSchema } from './prune.ts';

const CRD_DEF = findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;

export class CrdSchemas {
  private readonly manifests: Map<string, Obj>;

  /**
   * @param manifests the CRD manifests the simulator starts with
   * @param preinstalled when false, a custom resource is served only once its CRD has been created
   */
  constructor(private readonly store: Store, manifests: Obj[], private readonly preinstalled: boolean) {
    this.manifests = new Map(manifests.map((m) => [String(m.metadata?.name), m]));
  }

  private crd(def: ResourceDef): Obj | undefined {
    const name = `${def.plural}.${def.group}`;
    return this.store.get(CRD_DEF, '', name) ?? (this.preinstalled ? this.manifests.get(name) : undefined);
  }

  private version(def: ResourceDef): Obj | undefined {
    const crd = this.crd(def);
    if (!crd || crd.spec?.group !== def.group || crd.spec?.names?.plural !== def.plural) return undefined;
    return (crd.spec.versions ?? []).find((v: Obj) => v.name === def.version && v.served !== false);
  }

  /** Built-in kinds always; a custom resource when a CRD serving its version exists. */
  served(def: ResourceDef): boolean {
    if (!def.crd) return true;
    // A resource without any manifest here (added to the table alone) keeps being served as before.
    if (this.preinstalled && !this.manifests.has(`${def.plural}.${def.group}`)) return true;
    return this.version(def) !== undefined;
  }

  /** The version's `openAPIV3Schema`, or undefined (no pruning) when there is none. */
  schema(def: ResourceDef): StructuralSchema | undefined {
    if (!def.crd) return undefined;
    return this.version(def)?.schema?.openAPIV3Schema as StructuralSchema | undefined;
  }
}
