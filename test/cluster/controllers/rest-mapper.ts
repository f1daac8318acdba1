/**
 * Kind → resource mapping from the API server's discovery documents, as client-go's discovery
 * RESTMapper gives it to OpenShift's TemplateInstance controller (instead of guessing plurals, which
 * is wrong for kinds such as `Endpoints` or any CRD with an irregular plural, and blind to whether a
 * kind is served at all).
 *
 * One resource list per group version (`GET /api/v1`, `GET /apis/<group>/<version>`), cached per
 * mapper and fetched again once on a miss, so a CRD installed after the controller started is found
 * (client-go's deferred mapper resets its cache and retries the same way). A kind the server does
 * not serve fails with client-go's NoKindMatchError text: `no matches for kind "X" in version "g/v"`.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1APIResource } from '@kubernetes/client-node';
import { errorCode } from './runtime.ts';

export interface RestMapping {
  group: string;
  version: string;
  /** The resource (plural) name, as a SubjectAccessReview and the REST path use it. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** What client-go's meta.NoKindMatchError prints for one searched version. */
export class NoKindMatchError extends Error {
  constructor(kind: string, apiVersion: string) {
    super(`no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}`);
  }
}

export interface RestMapper {
  /** The mapping of `kind` in `apiVersion`; throws NoKindMatchError when it is not served. */
  mapping(apiVersion: string, kind: string): Promise<RestMapping>;
}

/** Splits an apiVersion into group ('' for the core group) and version. */
export function splitApiVersion(apiVersion: string | undefined): { group: string; version: string } {
  const v = apiVersion || 'v1';
  const i = v.indexOf('/');
  return i < 0 ? { group: '', version: v } : { group: v.slice(0, i), version: v.slice(i + 1) };
}

/** client-go's GroupVersionResource.String(): `group/version, Resource=plural` (group empty for core). */
export function resourceLabel(m: Pick<RestMapping, 'group' | 'version' | 'resource'>): string {
  return `${m.group}/${m.version}, Resource=${m.resource}`;
}

/** client-go's GroupVersionKind.String(): `group/version, Kind=Kind`. */
export function kindLabel(apiVersion: string | undefined, kind: string): string {
  const { group, version } = splitApiVersion(apiVersion);
  return `${group}/${version}, Kind=${kind}`;
}

/** Fetches one group version's resource list; undefined when the server does not serve it (404). */
export type ResourceLister = (group: string, version: string) => Promise<V1APIResource[] | undefined>;

export function discoveryLister(kc: KubeConfig): ResourceLister {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return async (group, version) => {
    try {
      if (!group && version !== 'v1') return undefined; // the core group has v1 only
      // CustomObjectsApi's path is /apis/<group>/<version>, which is plain discovery for any group.
      const list = group ? await custom.getAPIResources({ group, version }) : await core.getAPIResources();
      return list.resources ?? [];
    } catch (e) {
      if (errorCode(e) === 404) return undefined;
      throw e;
    }
  };
}

export function makeRestMapper(list: ResourceLister): RestMapper {
  // Per group version; a promise so that concurrent misses share one request.
  const cache = new Map<string, Promise<V1APIResource[] | undefined>>();
  const fetch = (group: string, version: string, key: string) => {
    const p = list(group, version);
    cache.set(key, p);
    // A failed fetch is not remembered: the next lookup asks again.
    p.catch(() => cache.get(key) === p && cache.delete(key));
    return p;
  };
  const find = (resources: V1APIResource[] | undefined, kind: string) =>
    // Subresources (`virtualmachines/status`) carry their parent's kind; they are not the kind's home.
    resources?.find((r) => r.kind === kind && !r.name.includes('/'));

  return {
    async mapping(apiVersion, kind) {
      const { group, version } = splitApiVersion(apiVersion);
      const key = `${group}/${version}`;
      const cached = cache.get(key);
      let found = find(await (cached ?? fetch(group, version, key)), kind);
      // A miss in a cached list may be a stale cache (a CRD added since): look once more.
      if (!found && cached) found = find(await fetch(group, version, key), kind);
      if (!found) throw new NoKindMatchError(kind, group ? `${group}/${version}` : version);
      return { group, version, resource: found.name, kind, namespaced: found.namespaced };
    },
  };
}
