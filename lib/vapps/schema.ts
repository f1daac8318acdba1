/**
 * vApp request bodies (docs/api.md "vApps") and the fields vApp lists filter and sort on.
 */
import * as v from 'valibot';
import { sql } from 'drizzle-orm';
import { users, vapps, vdcs } from '#db/schema.ts';
import { BoolSchema, DescriptionSchema, NameSchema } from '#lib/validation.ts';
import type { Fields } from '#lib/http/list.ts';
import { VAPP_STATUS } from '#db/status.ts';

/** Template parameter values are strings (OpenShift's), bounded. */
const ParamValueSchema = v.pipe(v.string('must be a string'), v.maxLength(4096, 'must be at most 4096 characters'));
const ParamNameSchema = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(256, 'must be at most 256 characters'));

/** `{KEY: value}` or `[{name, value}]` (both spellings clients send), normalised to a record. */
export const ParametersSchema = v.union([
  v.pipe(
    v.array(v.object({ name: ParamNameSchema, value: ParamValueSchema }, 'must be an object {name, value}'), 'must be a list'),
    v.transform((list) => Object.fromEntries(list.map((p) => [p.name, p.value])) as Record<string, string>),
  ),
  v.pipe(v.custom<object>((x) => typeof x === 'object' && x !== null && !Array.isArray(x)), v.record(ParamNameSchema, ParamValueSchema)),
], 'must be an object of strings or a list of {name, value}');

export const InstantiateSchema = v.pipe(
  v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'must be an object'),
  v.looseObject({
    name: NameSchema,
    description: v.optional(DescriptionSchema),
    catalogItem: v.optional(v.pipe(
      v.custom<object>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'must be an object {id?, name?}'),
      v.looseObject({
        id: v.optional(v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'))),
        name: v.optional(v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(256, 'must be at most 256 characters'))),
      }),
    )),
    catalogItemUrn: v.optional(v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'))),
    parameters: v.optional(ParametersSchema),
    powerOn: v.optional(BoolSchema),
  }),
);
export type InstantiateBody = v.InferOutput<typeof InstantiateSchema>;

/** The row's CREATING reads as INSTANTIATING, so filters match what clients see. */
const publicStatus = sql`CASE ${vapps.status} WHEN ${VAPP_STATUS.creating} THEN ${VAPP_STATUS.instantiating} ELSE ${vapps.status} END`;

export const VAPP_FIELDS: Fields = {
  id: { col: vapps.id, type: 'urn', urnType: 'vapp' },
  name: { col: vapps.name, type: 'string' },
  description: { col: vapps.description, type: 'string' },
  status: { col: publicStatus, type: 'string' },
  'vdc.id': { col: vapps.vdcId, type: 'urn', urnType: 'vdc' },
  'vdc.name': { col: vdcs.name, type: 'string' },
  'org.id': { col: vapps.orgId, type: 'urn', urnType: 'org' },
  'owner.id': { col: vapps.ownerId, type: 'urn', urnType: 'user' },
  'owner.name': { col: users.username, type: 'string' },
  'template.name': { col: vapps.templateName, type: 'string' },
  createdDate: { col: vapps.createdAt, type: 'date' },
  lastModifiedDate: { col: vapps.updatedAt, type: 'date' },
};
