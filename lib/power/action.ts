/**
 * The `{action}` path segment of power routes. In VCD each action is its own route, so an
 * unknown action is an unknown route: 404 RESOURCE_NOT_FOUND, like any other.
 */
import type { Ctx } from '#lib/http/route.ts';
import { ApiError } from '#lib/http/errors.ts';
import { POWER_ACTIONS, type PowerAction } from '#lib/k8s/power.ts';

/** The action named by the path, or the 404 of an unknown route. */
export function powerAction(c: Ctx, raw: string): PowerAction {
  if ((POWER_ACTIONS as readonly string[]).includes(raw)) return raw as PowerAction;
  throw new ApiError(404, 'RESOURCE_NOT_FOUND', `No resource at ${c.req.path}; power actions are ${POWER_ACTIONS.join(', ')}`);
}
