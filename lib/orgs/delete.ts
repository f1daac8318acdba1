/**
 * Deleting an organization: refused while it holds VDCs, catalogs or users unless forced; with
 * a cluster, the namespaces of its VDCs are deleted first (Kubernetes first, docs/architecture.md "Delete"), then
 * every row goes in one transaction. A cluster failure deletes nothing more and answers 503.
 */
import type { Ctx } from '#lib/http/route.ts';
import type { OrgRow } from '#db/queries/orgs.ts';
import { deleteOrgCascade, orgContents } from '#db/queries/orgs.ts';
import { updateVdc, vdcsOfOrg } from '#db/queries/vdcs.ts';
import { badRequest, busyEntity } from '#lib/http/errors.ts';
import { clusterError } from '#lib/http/cluster-errors.ts';
import { VDC_STATUS } from '#db/status.ts';

/** Deletes `org` (and with `force` everything in it) and answers 204. */
export async function deleteOrg(c: Ctx, org: OrgRow, force: boolean): Promise<Response> {
  const { db, k8s } = c.var;
  if (org.isProvider) throw badRequest('The Provider organization cannot be deleted');
  const n = orgContents(db, org.id);
  if (!force && (n.vdcs || n.catalogs || n.users)) {
    throw busyEntity(`Organization '${org.name}' still has ${n.vdcs} VDC(s), ${n.catalogs} catalog(s) and ${n.users} user(s); delete them first or use ?force=true`);
  }
  if (k8s) {
    const asked = new Set<string>();
    // Re-read after every await: a VDC created meanwhile has its namespace deleted too, rather
    // than losing its row and leaving the namespace behind.
    for (let vdc = nextVdc(c, org.id, asked); vdc; vdc = nextVdc(c, org.id, asked)) {
      // DELETING first, as a VDC delete does: the reconciler then finishes this deletion (and
      // the rows) instead of recreating a namespace that went away while the others are asked.
      updateVdc(db, vdc.id, { status: VDC_STATUS.deleting, statusMessage: null, updatedAt: c.var.now() });
      try {
        await k8s.deleteVdcNamespace(vdc.namespace, vdc.id);
      } catch (e) {
        updateVdc(db, vdc.id, { status: vdc.status, statusMessage: vdc.statusMessage });
        const already = asked.size ? `; the namespaces of ${asked.size} other VDC(s) were already being deleted, those VDCs are DELETING` : '';
        throw clusterError(e, `Organization '${org.name}' was not deleted: the namespace of VDC '${vdc.name}' could not be deleted${already}`);
      }
      asked.add(vdc.id);
    }
  }
  deleteOrgCascade(db, org.id);
  return c.body(null, 204);
}

/** The next VDC of the org with a namespace this request has not asked to delete yet. */
function nextVdc(c: Ctx, orgId: string, asked: Set<string>) {
  return vdcsOfOrg(c.var.db, orgId).find((v) => v.status !== VDC_STATUS.pendingCluster && !asked.has(v.id));
}
