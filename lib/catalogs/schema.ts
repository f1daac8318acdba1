/**
 * Request bodies for catalogs and the fields their list filters and sorts on.
 */
import * as v from 'valibot';
import { catalogs } from '#db/schema.ts';
import { BoolSchema, DescriptionSchema, NameSchema, RefSchema } from '#lib/validation.ts';
import type { Fields } from '#lib/http/list.ts';

const OrgIdSchema = v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'));

const editable = {
  // VCD clients send null for an empty description.
  description: v.nullish(DescriptionSchema),
  isPublished: v.optional(BoolSchema),
  /** The SSVirt UI names the org as `orgId`; VCD clients as `org: {id}`. */
  orgId: v.optional(OrgIdSchema),
  org: v.optional(RefSchema),
};

export const CatalogCreateSchema = v.looseObject({ name: NameSchema, ...editable });
/** PUT replaces the editable fields; `name` is required as in VCD. */
export const CatalogPutSchema = v.looseObject({ name: NameSchema, ...editable });

export type CatalogBody = v.InferOutput<typeof CatalogCreateSchema>;

export const CATALOG_FIELDS: Fields = {
  id: { col: catalogs.id, type: 'urn', urnType: 'catalog' },
  name: { col: catalogs.name, type: 'string' },
  description: { col: catalogs.description, type: 'string' },
  'org.id': { col: catalogs.orgId, type: 'urn', urnType: 'org' },
  'owner.id': { col: catalogs.ownerId, type: 'urn', urnType: 'user' },
  isPublished: { col: catalogs.isPublished, type: 'boolean' },
  creationDate: { col: catalogs.createdAt, type: 'date' },
  lastModifiedDate: { col: catalogs.updatedAt, type: 'date' },
};
