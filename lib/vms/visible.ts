/**
 * Loads a VM the caller may see and act on (or VCD's 403); a VM is owned by its vApp's owner.
 */
import type { Ctx } from '#lib/http/route.ts';
import { findVmWithRefs, type VmWithRefs } from '#db/queries/vms.ts';
import { authorize, type Action } from '#lib/authz.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';

/** The VM `id` if the caller may `action` it. */
export function visibleVm(c: Ctx, id: string, action: Action = 'read'): VmWithRefs {
  const found = findVmWithRefs(c.var.db, id);
  if (!found) throw notVisible('vm', toUrn('vm', id));
  authorize(c.var.session!, 'vm', action, { orgId: found.vm.orgId, ownerId: found.vappOwnerId }, { type: 'vm', id });
  return found;
}
