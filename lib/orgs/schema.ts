/**
 * Request bodies for organizations and the fields their list filters and sorts on.
 */
import * as v from 'valibot';
import { orgs } from '#db/schema.ts';
import { BoolSchema, DescriptionSchema, NameSchema } from '#lib/validation.ts';
import type { Fields } from '#lib/http/list.ts';

export const OrgNameSchema = v.pipe(NameSchema, v.regex(/^[A-Za-z0-9_\-.!'(),$]+$/, "may contain only letters, digits and _ - . ! ' ( ) , $"));

const editable = {
  displayName: v.optional(v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'))),
  description: v.optional(DescriptionSchema),
  isEnabled: v.optional(BoolSchema),
  canPublish: v.optional(BoolSchema),
};

export const OrgCreateSchema = v.looseObject({ name: OrgNameSchema, ...editable });
/** PUT replaces the editable fields; `name` is required as in VCD. */
export const OrgPutSchema = v.looseObject({ name: OrgNameSchema, ...editable });
export const OrgPatchSchema = v.looseObject({ name: v.optional(OrgNameSchema), ...editable });

export const ORG_FIELDS: Fields = {
  id: { col: orgs.id, type: 'urn', urnType: 'org' },
  name: { col: orgs.name, type: 'string' },
  displayName: { col: orgs.displayName, type: 'string' },
  isEnabled: { col: orgs.isEnabled, type: 'boolean' },
};
