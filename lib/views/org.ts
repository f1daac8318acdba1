/**
 * The Org object of docs/api.md "Organizations".
 */
import type { Db } from '#db/client.ts';
import { orgCounts, type OrgRow } from '#db/queries/orgs.ts';
import { toUrn } from '#lib/urn.ts';
import { iso, ref } from './common.ts';

/** Renders an org with its real counts. */
export function orgView(db: Db, o: OrgRow, provider: OrgRow | undefined) {
  const n = orgCounts(db, o.id) ?? { vdcs: 0, catalogs: 0, vapps: 0, runningVms: 0, users: 0 };
  return {
    id: toUrn('org', o.id),
    name: o.name,
    displayName: o.displayName,
    description: o.description,
    isEnabled: o.isEnabled,
    orgVdcCount: n.vdcs,
    catalogCount: n.catalogs,
    vappCount: n.vapps,
    runningVMCount: n.runningVms,
    userCount: n.users,
    diskCount: 0,
    canPublish: o.canPublish,
    managedBy: provider ? ref('org', provider.id, provider.name) : null,
    createdDate: iso(o.createdAt),
    lastModifiedDate: iso(o.updatedAt),
  };
}
