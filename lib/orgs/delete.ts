/**
 * Deleting an organization: refused while it holds VDCs, catalogs or users unless forced; with
 * a cluster, the namespaces of its VDCs are deleted first (Kubernetes first, design.md), then
 * every row goes in one transaction. A cluster failure deletes nothing and answers 503.
 */
import type { Ctx } from '#lib/http/route.ts';
import type { OrgRow } from '#db/queries/orgs.ts';
import { deleteOrgCascade, orgContents } from '#db/queries/orgs.ts';
import { vdcsOfOrg } from '#db/queries/vdcs.ts';
import { badRequest, busyEntity } from '#lib/http/errors.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';

/** Deletes `org` (and with `force` everything in it) and answers 204. */
export async function deleteOrg(c: Ctx, org: OrgRow, force: boolean): Promise<Response> {
  const { db, k8s } = c.var;
  if (org.isProvider) throw badRequest('The Provider organization cannot be deleted');
  const n = orgContents(db, org.id);
  if (!force && (n.vdcs || n.catalogs || n.users)) {
    throw busyEntity(`Organization '${org.name}' still has ${n.vdcs} VDC(s), ${n.catalogs} catalog(s) and ${n.users} user(s); delete them first or use ?force=true`);
  }
  if (k8s) {
    for (const vdc of vdcsOfOrg(db, org.id)) {
      if (vdc.status === 'PENDING_CLUSTER') continue;
      try {
        await k8s.deleteVdcNamespace(vdc.namespace, vdc.id);
      } catch (e) {
        throw clusterError(e, `Organization '${org.name}' was not deleted: the namespace of VDC '${vdc.name}' could not be deleted`);
      }
    }
  }
  deleteOrgCascade(db, org.id);
  return c.body(null, 204);
}
