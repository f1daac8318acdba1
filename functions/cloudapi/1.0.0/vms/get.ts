/**
 * GET /cloudapi/1.0.0/vms — the VMs the caller may see (a vApp User: those of their own vApps),
 * paged. Filter/sort fields: id, name, status, guestOs, vapp.id, vapp.name, vdc.id, vdc.name,
 * org.id, createdDate, lastModifiedDate. 400 BAD_REQUEST for bad paging or filters.
 */
import { defineRoute } from '#lib/http/route.ts';
import { ListQuerySchema } from '#lib/http/list.ts';
import { listVisibleVms } from '#lib/vms/list.ts';

export default defineRoute({ summary: 'List VMs', query: ListQuerySchema }, function listVms(c, { query }) {
  return listVisibleVms(c, query);
});
