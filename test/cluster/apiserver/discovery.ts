/**
 * Discovery documents (/api, /apis, /apis/<group>[/<version>], /version) listing what this simulator
 * serves, in the legacy (unaggregated) format a 1.28 server gives to plain JSON requests.
 */
import { KUBEVIRT_ACTIONS, KUBEVIRT_SUBRESOURCE_GROUP, RESOURCES, type ResourceDef } from './resources.ts';
import type { Obj } from './serialize.ts';

const CRD_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];
const CORE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function entries(def: ResourceDef): Obj[] {
  const main: Obj = {
    name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind,
    verbs: def.crd ? CRD_VERBS : def.kind === 'Namespace' ? CORE_VERBS.filter((v) => v !== 'deletecollection') : CORE_VERBS,
  };
  if (def.shortNames) main.shortNames = def.shortNames;
  if (def.categories) main.categories = def.categories;
  if (def.storageVersionHash) main.storageVersionHash = def.storageVersionHash;
  const out = [main];
  if (def.statusSubresource) out.push({ name: `${def.plural}/status`, singularName: '', namespaced: def.namespaced, kind: def.kind, verbs: ['get', 'patch', 'update'] });
  if (def.kind === 'Namespace') out.push({ name: 'namespaces/finalize', singularName: '', namespaced: false, kind: 'Namespace', verbs: ['update'] });
  return out;
}

export class Discovery {
  constructor(private readonly withSubresources: boolean) {}

  groups(): string[] {
    const gs = [...new Set(RESOURCES.map((r) => r.group).filter((g) => g))];
    if (this.withSubresources) gs.push(KUBEVIRT_SUBRESOURCE_GROUP);
    return gs;
  }

  api(serverAddress: string): Obj {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  apiGroup(name: string): Obj | undefined {
    if (!this.groups().includes(name)) return undefined;
    // The version its resources are served at (cdi.kubevirt.io and instancetype.kubevirt.io are v1beta1).
    const version = RESOURCES.find((r) => r.group === name)?.version ?? 'v1';
    const v = { groupVersion: `${name}/${version}`, version };
    return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [v], preferredVersion: v };
  }

  apiGroupList(): Obj {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups().map((g) => { const { kind: _k, apiVersion: _a, ...rest } = this.apiGroup(g)!; return rest; }) };
  }

  resourceList(group: string, version: string): Obj | undefined {
    if (group === KUBEVIRT_SUBRESOURCE_GROUP) {
      if (version !== 'v1') return undefined;
      if (!this.withSubresources) return undefined;
      return {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/v1`,
        resources: Object.keys(KUBEVIRT_ACTIONS).map((name) => ({ name, singularName: '', namespaced: true, kind: '', verbs: ['update'] })),
      };
    }
    const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
    if (!defs.length) return undefined;
    const crd = defs[0]!.crd;
    let resources = defs.flatMap(entries);
    if (crd) resources = resources.sort((a, b) => (a.name < b.name ? -1 : 1));
    return { kind: 'APIResourceList', ...(group ? { apiVersion: 'v1' } : {}), groupVersion: group ? `${group}/${version}` : version, resources };
  }

  version(): Obj {
    return {
      major: '1', minor: '28', gitVersion: 'v1.28.7-ssvirt-sim', gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean', buildDate: '2026-11-28T00:00:00Z', goVersion: 'go1.21.13', compiler: 'gc', platform: 'linux/amd64',
    };
  }
}
