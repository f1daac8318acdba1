/**
 * POST /cloudapi/1.0.0/orgs — create an organization (System Administrators).
 * 201 Org with `Location`. 400 BAD_REQUEST for invalid fields, 400 DUPLICATE_NAME when the name
 * is taken (case-insensitive), 403 for other roles.
 */
import { randomUUID } from 'node:crypto';
import { defineRoute } from '#lib/http/route.ts';
import { requireAction } from '#lib/authz.ts';
import { findOrg, insertOrg, providerOrg } from '#db/queries/orgs.ts';
import { isUniqueViolation } from '#db/errors.ts';
import { duplicateName } from '#lib/http/errors.ts';
import { OrgCreateSchema } from '#lib/orgs/schema.ts';
import { orgView } from '#lib/views/org.ts';
import { baseUrl } from '#lib/views/common.ts';
import { toUrn } from '#lib/urn.ts';

export default defineRoute({ summary: 'Create an organization', body: OrgCreateSchema }, function createOrg(c, { body }) {
  requireAction(c.var.session, 'org', 'create');
  const { db } = c.var;
  const now = c.var.now();
  const id = randomUUID();
  try {
    insertOrg(db, {
      id, name: body.name, nameKey: body.name.toLowerCase(), displayName: body.displayName || body.name,
      description: body.description ?? '', isEnabled: body.isEnabled ?? true, canPublish: body.canPublish ?? false,
      isProvider: false, createdAt: now, updatedAt: now,
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(`name: an organization named '${body.name}' already exists`);
    throw e;
  }
  c.header('Location', `${baseUrl(c)}/cloudapi/1.0.0/orgs/${toUrn('org', id)}`);
  return c.json(orgView(db, findOrg(db, id)!, providerOrg(db)), 201);
});
