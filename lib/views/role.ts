/**
 * The Role object of docs/api.md "Users and roles". The built-in roles cannot be edited, hence `readOnly`.
 */
import type { RoleRow } from '#db/queries/roles.ts';
import { toUrn } from '#lib/urn.ts';

/** Renders a role. */
export function roleView(r: RoleRow) {
  return { id: toUrn('role', r.id), name: r.name, description: r.description, bundleKey: r.bundleKey, readOnly: true };
}
