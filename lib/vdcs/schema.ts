/**
 * Request bodies for VDCs (docs/api.md "VDCs") and the fields their lists filter and sort on. Spellings
 * clients send are accepted and stored in one canonical form: allocation models in VCD's
 * legacy names (also `PayAsYouGo` and the CloudAPI `ALLOCATION_*` names, any case), units in
 * their canonical case.
 */
import * as v from 'valibot';
import { orgs, vdcs } from '#db/schema.ts';
import { BoolSchema, CountSchema, DescriptionSchema, NameSchema, RefSchema } from '#lib/validation.ts';
import type { Fields } from '#lib/http/list.ts';

export const ALLOCATION_MODELS = ['AllocationVApp', 'AllocationPool', 'ReservationPool', 'Flex'] as const;
export type AllocationModel = (typeof ALLOCATION_MODELS)[number];

/** CloudAPI `allocationType` of each model. */
export const ALLOCATION_TYPE: Record<AllocationModel, string> = {
  AllocationVApp: 'ALLOCATION_VAPP',
  AllocationPool: 'ALLOCATION_POOL',
  ReservationPool: 'RESERVATION_POOL',
  Flex: 'FLEX',
};

const MODEL_BY_KEY: Record<string, AllocationModel> = {
  payasyougo: 'AllocationVApp',
  ...Object.fromEntries(ALLOCATION_MODELS.map((m) => [m.toLowerCase(), m])),
  ...Object.fromEntries(Object.entries(ALLOCATION_TYPE).map(([m, t]) => [t.toLowerCase(), m as AllocationModel])),
};

export const CPU_UNITS = ['MHz', 'GHz', 'cores', 'millicores'] as const;
export const MEMORY_UNITS = ['MB', 'GB', 'MiB', 'GiB'] as const;

/** A string from a fixed list, matched case-insensitively and answered in the list's spelling. */
function oneOf<const T extends string>(values: readonly T[], aliases: Record<string, T> = {}) {
  const byKey: Record<string, T> = { ...Object.fromEntries(values.map((x) => [x.toLowerCase(), x])), ...aliases };
  return v.pipe(
    v.string('must be a string'),
    v.check((s) => s.toLowerCase() in byKey, `must be one of ${values.join(', ')}`),
    v.transform((s) => byKey[s.toLowerCase()]!),
  );
}

/** A looseObject that also refuses arrays (valibot's object check lets them through). */
function record<const E extends v.ObjectEntries>(entries: E, message: string) {
  return v.pipe(
    v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), message),
    v.looseObject(entries, message),
  );
}

export const AllocationModelSchema = oneOf(ALLOCATION_MODELS, MODEL_BY_KEY);

/** `used` (read-only) and anything else a client echoes back from a GET is ignored. */
const capacity = <const U extends string>(units: readonly U[]) => record({
  allocated: v.optional(CountSchema),
  limit: v.optional(CountSchema),
  reserved: v.optional(CountSchema),
  units: v.optional(oneOf(units)),
}, 'must be an object');
export const CpuCapacitySchema = capacity(CPU_UNITS);
export const MemoryCapacitySchema = capacity(MEMORY_UNITS);

export const ComputeCapacitySchema = record({
  cpu: v.optional(CpuCapacitySchema),
  memory: v.optional(MemoryCapacitySchema),
}, 'must be an object');

export const StorageProfileSchema = record({
  name: NameSchema,
  enabled: v.optional(BoolSchema),
  units: v.optional(oneOf(['MB'] as const)),
  limit: v.optional(CountSchema),
  default: v.optional(BoolSchema),
}, 'must be an object');

export const StorageProfilesSchema = v.pipe(
  v.array(StorageProfileSchema, 'must be an array'),
  v.maxLength(64, 'must have at most 64 entries'),
  v.check((ps) => new Set(ps.map((p) => p.name.toLowerCase())).size === ps.length, 'profile names must be unique'),
  v.check((ps) => ps.filter((p) => p.default === true).length <= 1, 'at most one profile may be the default'),
);

export const ProviderVdcSchema = v.nullable(v.pipe(
  RefSchema,
  v.check((r) => Boolean(r.id || r.name), 'must have an id or a name'),
));

const editable = {
  description: v.optional(DescriptionSchema),
  allocationModel: v.optional(AllocationModelSchema),
  /** CloudAPI's name for the same thing; `allocationModel` wins when both are sent. */
  allocationType: v.optional(AllocationModelSchema),
  computeCapacity: v.optional(ComputeCapacitySchema),
  vdcStorageProfiles: v.optional(StorageProfilesSchema),
  nicQuota: v.optional(CountSchema),
  networkQuota: v.optional(CountSchema),
  vmQuota: v.optional(CountSchema),
  isThinProvision: v.optional(BoolSchema),
  isEnabled: v.optional(BoolSchema),
  providerVdc: v.optional(ProviderVdcSchema),
};

export const VdcCreateSchema = record({ name: NameSchema, ...editable }, 'must be a JSON object');
/** PUT replaces every editable field (absent ones take their create defaults); `name` is required as in VCD. */
export const VdcPutSchema = record({ name: NameSchema, ...editable }, 'must be a JSON object');
export const VdcPatchSchema = record({ name: v.optional(NameSchema), ...editable }, 'must be a JSON object');
export type VdcBody = v.InferOutput<typeof VdcPatchSchema>;

/** Filter and sort fields of VDC lists (the list query joins `orgs` for `org.name`). */
export const VDC_FIELDS: Fields = {
  id: { col: vdcs.id, type: 'urn', urnType: 'vdc' },
  name: { col: vdcs.name, type: 'string' },
  description: { col: vdcs.description, type: 'string' },
  'org.id': { col: vdcs.orgId, type: 'urn', urnType: 'org' },
  'org.name': { col: orgs.name, type: 'string' },
  isEnabled: { col: vdcs.isEnabled, type: 'boolean' },
  status: { col: vdcs.status, type: 'string' },
  allocationModel: { col: vdcs.allocationModel, type: 'string' },
  namespace: { col: vdcs.namespace, type: 'string' },
  createdDate: { col: vdcs.createdAt, type: 'date' },
  lastModifiedDate: { col: vdcs.updatedAt, type: 'date' },
};
