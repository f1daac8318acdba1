/**
 * What OpenShift's templateinstance REST strategy does on top of storage: on create an absent
 * spec.requester is filled from the caller, and naming someone else as requester needs `assign` on
 * the templateinstance (else 422 `spec.impersonateUser: Forbidden: impersonation forbidden`); on
 * update the spec is immutable. Status written through the status subresource is not checked.
 */
import { isDeepStrictEqual } from 'node:util';
import { errors } from './errors.ts';
import type { Authorizer, Identity } from './rbac.ts';
import type { ResourceDef } from './resources.ts';
import type { Obj } from './serialize.ts';

const isTemplateInstance = (def: ResourceDef) => def.group === 'template.openshift.io' && def.plural === 'templateinstances';
const KIND_NAME = 'TemplateInstance.template.openshift.io';

export function admitTemplateInstanceCreate(authorizer: Authorizer, caller: Identity, def: ResourceDef, ns: string, body: Obj): void {
  if (!isTemplateInstance(def)) return;
  const spec = (body.spec && typeof body.spec === 'object' ? body.spec : (body.spec = {})) as Obj;
  const req = spec.requester as { username?: string } | undefined;
  if (!req || !req.username) {
    spec.requester = { username: caller.user, ...(caller.uid ? { uid: caller.uid } : {}), groups: caller.groups, ...(caller.extra ? { extra: caller.extra } : {}) };
    return;
  }
  if (req.username === caller.user) return;
  const name = String((body.metadata as { name?: string } | undefined)?.name ?? '');
  const d = authorizer.authorize(caller, { verb: 'assign', group: def.group, resource: def.plural, namespace: ns, name });
  if (!d.allowed) {
    throw errors.invalid(KIND_NAME, name, def.group, def.kind, [{ reason: 'FieldValueForbidden', message: 'Forbidden: impersonation forbidden', field: 'spec.impersonateUser' }]);
  }
}

export function admitTemplateInstanceUpdate(def: ResourceDef, prev: Obj, next: Obj): void {
  if (!isTemplateInstance(def)) return;
  if (isDeepStrictEqual(prev.spec, next.spec)) return;
  const name = String((prev.metadata as { name?: string }).name ?? '');
  throw errors.invalid(KIND_NAME, name, def.group, def.kind, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "object": field is immutable', field: 'spec' }]);
}
