/**
 * Request bodies for users and the fields their list filters and sorts on. Clients spell some
 * fields two ways (`fullName`/`FullName`, `organizationId`/`organizationID`, `roleEntityRefs`/
 * `roleEntityRef`); `userInput` folds them into one shape.
 */
import * as v from 'valibot';
import { users } from '#db/schema.ts';
import { BoolSchema, DescriptionSchema, RefSchema } from '#lib/validation.ts';
import type { Fields } from '#lib/http/list.ts';

export const UsernameSchema = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(128, 'must be at most 128 characters'),
  v.regex(/^[A-Za-z0-9._@-]+$/, 'may contain only letters, digits and . _ - @'),
);

/** Never echoed: every message here is ours (valibot's defaults would quote the input). */
export const PasswordSchema = v.pipe(
  v.string('must be a string'),
  v.minLength(8, 'must be at least 8 characters'),
  v.maxLength(256, 'must be at most 256 characters'),
);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An e-mail address, or empty for none. */
export const EmailSchema = v.pipe(
  v.string('must be a string'),
  v.trim(),
  v.maxLength(254, 'must be at most 254 characters'),
  v.check((s) => s === '' || EMAIL.test(s), 'must be an e-mail address such as name@example.com'),
);

const FullNameSchema = v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'));
const IdSchema = v.pipe(v.string('must be a string'), v.maxLength(256, 'must be at most 256 characters'));
/** A role given as a reference, or as a bare name or id. */
const RoleRefSchema = v.union([IdSchema, RefSchema], 'must be a role reference {name, id}, a role name or a role id');

const fields = {
  username: v.optional(UsernameSchema),
  password: v.optional(PasswordSchema),
  currentPassword: v.optional(v.string('must be a string')),
  oldPassword: v.optional(v.string('must be a string')),
  fullName: v.nullish(FullNameSchema),
  FullName: v.nullish(FullNameSchema),
  email: v.nullish(EmailSchema),
  description: v.nullish(DescriptionSchema),
  // A list is not a reference (valibot's object schemas would take one as an empty object).
  orgEntityRef: v.nullish(v.pipe(v.custom<unknown>((x) => !Array.isArray(x), 'must be a reference {name, id}'), RefSchema)),
  organizationId: v.nullish(IdSchema),
  organizationID: v.nullish(IdSchema),
  roleEntityRefs: v.nullish(v.pipe(v.array(RoleRefSchema, 'must be a list of role references'), v.maxLength(16, 'must have at most 16 entries'))),
  roleEntityRef: v.nullish(RoleRefSchema),
  enabled: v.optional(BoolSchema),
};

// valibot's object schemas accept arrays; a JSON list is not a user.
const notAList = v.custom<Record<string, unknown>>((x) => !Array.isArray(x), 'must be a JSON object');

export const UserCreateSchema = v.pipe(notAList, v.looseObject({ ...fields, username: UsernameSchema, password: PasswordSchema }));
export const UserUpdateSchema = v.pipe(notAList, v.looseObject(fields));

type Body = v.InferOutput<typeof UserUpdateSchema>;
export type RoleInput = string | { id?: string; name?: string };

/** What a create or update body asks for, aliases folded; undefined = not given. */
export interface UserInput {
  username?: string;
  password?: string;
  currentPassword?: string;
  fullName?: string;
  email?: string;
  description?: string;
  /** The org as given (URN or uuid, or a name when only `orgEntityRef.name` came) and its field, for messages. */
  org?: { value: string; field: string; byName?: boolean };
  roles?: { values: RoleInput[]; field: string };
  enabled?: boolean;
}

/** Folds the aliases of a validated body; null counts as "not given". */
export function userInput(b: Body): UserInput {
  const org = b.orgEntityRef?.id != null ? { value: b.orgEntityRef.id, field: 'orgEntityRef.id' }
    : b.organizationId != null ? { value: b.organizationId, field: 'organizationId' }
    : b.organizationID != null ? { value: b.organizationID, field: 'organizationID' }
    : b.orgEntityRef?.name != null ? { value: b.orgEntityRef.name, field: 'orgEntityRef.name', byName: true }
    : undefined;
  const roles = b.roleEntityRefs != null ? { values: b.roleEntityRefs as RoleInput[], field: 'roleEntityRefs' }
    : b.roleEntityRef != null ? { values: [b.roleEntityRef as RoleInput], field: 'roleEntityRef' } : undefined;
  return {
    username: b.username,
    password: b.password,
    currentPassword: b.currentPassword ?? b.oldPassword,
    fullName: b.fullName ?? b.FullName ?? undefined,
    email: b.email ?? undefined,
    description: b.description ?? undefined,
    org,
    roles,
    enabled: b.enabled,
  };
}

export const USER_FIELDS: Fields = {
  id: { col: users.id, type: 'urn', urnType: 'user' },
  username: { col: users.username, type: 'string' },
  name: { col: users.username, type: 'string' },
  fullName: { col: users.fullName, type: 'string' },
  email: { col: users.email, type: 'string' },
  'orgEntityRef.id': { col: users.orgId, type: 'urn', urnType: 'org' },
  enabled: { col: users.enabled, type: 'boolean' },
};
