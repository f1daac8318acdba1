/**
 * The Role object of api.md §3. The built-in roles cannot be edited, hence `readOnly`.
 */
import type { RoleRow } from '#db/queries/roles.ts';
import { toUrn } from '#lib/urn.ts';

/** Renders a role. */
export function roleView(r: RoleRow) {
  return { id: toUrn('role', r.id), name: r.name, description: r.description, bundleKey: r.bundleKey, readOnly: true };
}
