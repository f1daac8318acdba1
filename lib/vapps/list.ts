/**
 * vApp lists (`/vapps`, `/vdcs/{id}/vapps`): the caller's scope from the role table, the filter,
 * one page in SQL and the page's VMs in one more query.
 */
import { eq, type SQL } from 'drizzle-orm';
import type { Ctx } from '#lib/http/route.ts';
import { pageResponse, planList, whereAll, type ListQuery } from '#lib/http/list.ts';
import { listScope } from '#lib/authz.ts';
import { listVappsWithRefs } from '#db/queries/vapps.ts';
import { vapps } from '#db/schema.ts';
import { VAPP_FIELDS } from './schema.ts';
import { renderVapps } from './render.ts';

/** Answers one page of the vApps the caller may see, narrowed by `extra`. */
export function listVisibleVapps(c: Ctx, query: ListQuery, extra?: SQL): Response {
  const plan = planList(query, VAPP_FIELDS);
  const scope = listScope(c.var.session!, 'vapp');
  const where = whereAll(
    scope.orgId ? eq(vapps.orgId, scope.orgId) : undefined,
    scope.ownerId ? eq(vapps.ownerId, scope.ownerId) : undefined,
    extra, plan.where,
  );
  const { total, rows } = listVappsWithRefs(c.var.db, plan, where);
  return pageResponse(c, plan, total, renderVapps(c, rows));
}
