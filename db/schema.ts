/**
 * The SQLite schema (drizzle). Ids are bare UUIDs; URNs are built at the edge (lib/urn.ts).
 * Times are epoch milliseconds. Names are unique per scope case-insensitively through a stored
 * `nameKey` (lower-cased name); rows are deleted outright, so deleting frees the name.
 */
import { sqliteTable, text, integer, uniqueIndex, index, primaryKey } from 'drizzle-orm/sqlite-core';
import { TASK_STATUSES, VAPP_STATUSES, VDC_STATUSES, VM_STATUSES } from './status.ts';

export const roles = sqliteTable('roles', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
  bundleKey: text('bundle_key').notNull(),
});

export const orgs = sqliteTable('orgs', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nameKey: text('name_key').notNull().unique(),
  displayName: text('display_name').notNull(),
  description: text('description').notNull().default(''),
  isEnabled: integer('is_enabled', { mode: 'boolean' }).notNull().default(true),
  canPublish: integer('can_publish', { mode: 'boolean' }).notNull().default(false),
  isProvider: integer('is_provider', { mode: 'boolean' }).notNull().default(false),
  /** Bumped by every write of the row: the entity's ETag (lib/http/etag.ts), like Kubernetes' resourceVersion. */
  version: integer('version').notNull().default(1),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  orgId: text('org_id').notNull().references(() => orgs.id),
  username: text('username').notNull(),
  usernameKey: text('username_key').notNull().unique(),
  fullName: text('full_name').notNull().default(''),
  email: text('email').notNull().default(''),
  description: text('description').notNull().default(''),
  passwordHash: text('password_hash').notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  /** Bumped by every write of the row: the entity's ETag (lib/http/etag.ts), like Kubernetes' resourceVersion. */
  version: integer('version').notNull().default(1),
  /**
   * Bumped by every new password: a login carries the number it checked the password against
   * and its session insert is refused once it moved (db/queries/sessions.ts), so no session
   * made with an old password outlives the change.
   */
  passwordGeneration: integer('password_generation').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('users_org_idx').on(t.orgId, t.usernameKey)]);

export const userRoles = sqliteTable('user_roles', {
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  roleId: text('role_id').notNull().references(() => roles.id),
  position: integer('position').notNull().default(0),
}, (t) => [primaryKey({ columns: [t.userId, t.roleId] })]);

export const sessions = sqliteTable('sessions', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
}, (t) => [index('sessions_user_idx').on(t.userId)]);

export const vdcs = sqliteTable('vdcs', {
  id: text('id').primaryKey(),
  orgId: text('org_id').notNull().references(() => orgs.id),
  name: text('name').notNull(),
  nameKey: text('name_key').notNull(),
  description: text('description').notNull().default(''),
  allocationModel: text('allocation_model').notNull(),
  cpuUnits: text('cpu_units').notNull().default('MHz'),
  cpuAllocated: integer('cpu_allocated').notNull().default(0),
  cpuLimit: integer('cpu_limit').notNull().default(0),
  cpuReserved: integer('cpu_reserved').notNull().default(0),
  memoryUnits: text('memory_units').notNull().default('MB'),
  memoryAllocated: integer('memory_allocated').notNull().default(0),
  memoryLimit: integer('memory_limit').notNull().default(0),
  memoryReserved: integer('memory_reserved').notNull().default(0),
  nicQuota: integer('nic_quota').notNull().default(0),
  networkQuota: integer('network_quota').notNull().default(0),
  vmQuota: integer('vm_quota').notNull().default(0),
  storageProfiles: text('storage_profiles', { mode: 'json' }).$type<StorageProfile[]>().notNull(),
  providerVdc: text('provider_vdc', { mode: 'json' }).$type<{ name: string; id: string } | null>(),
  isThinProvision: integer('is_thin_provision', { mode: 'boolean' }).notNull().default(true),
  isEnabled: integer('is_enabled', { mode: 'boolean' }).notNull().default(true),
  status: text('status', { enum: VDC_STATUSES }).notNull(),
  statusMessage: text('status_message'),
  /**
   * When the undo of a failed create of unknown outcome began (lib/k8s/late-writes.ts): while it
   * is recent, writes of that create may still land, so the row stays. Null otherwise.
   */
  undoStartedAt: integer('undo_started_at'),
  namespace: text('namespace').notNull().unique(),
  /** Set when the cluster side lags the row (failed update); the reconciler clears it. */
  needsReconcile: integer('needs_reconcile', { mode: 'boolean' }).notNull().default(false),
  /** Bumped by every write of the row: the entity's ETag (lib/http/etag.ts), like Kubernetes' resourceVersion. */
  version: integer('version').notNull().default(1),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [
  uniqueIndex('vdcs_org_name_uq').on(t.orgId, t.nameKey),
  index('vdcs_name_idx').on(t.name, t.id),
]);

export interface StorageProfile { name: string; enabled: boolean; units: string; limit: number; default: boolean }

export const catalogs = sqliteTable('catalogs', {
  id: text('id').primaryKey(),
  orgId: text('org_id').notNull().references(() => orgs.id),
  ownerId: text('owner_id'),
  name: text('name').notNull(),
  nameKey: text('name_key').notNull(),
  description: text('description').notNull().default(''),
  isPublished: integer('is_published', { mode: 'boolean' }).notNull().default(false),
  version: integer('version').notNull().default(1),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [uniqueIndex('catalogs_org_name_uq').on(t.orgId, t.nameKey)]);

export const vapps = sqliteTable('vapps', {
  id: text('id').primaryKey(),
  vdcId: text('vdc_id').notNull().references(() => vdcs.id),
  orgId: text('org_id').notNull().references(() => orgs.id),
  ownerId: text('owner_id').notNull(),
  name: text('name').notNull(),
  nameKey: text('name_key').notNull(),
  description: text('description').notNull().default(''),
  status: text('status', { enum: VAPP_STATUSES }).notNull(),
  statusMessage: text('status_message'),
  /**
   * When the undo of a failed create of unknown outcome began (lib/k8s/late-writes.ts): while it
   * is recent, writes of that create may still land, so the row stays. Null otherwise.
   */
  undoStartedAt: integer('undo_started_at'),
  catalogItemId: text('catalog_item_id'),
  catalogItemName: text('catalog_item_name'),
  templateNamespace: text('template_namespace').notNull(),
  templateName: text('template_name').notNull(),
  instanceName: text('instance_name').notNull(),
  instanceUid: text('instance_uid'),
  /** Caller-supplied template parameters; kept so the reconciler can recreate the instance. Never returned. */
  parameters: text('parameters', { mode: 'json' }).$type<Record<string, string>>().notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [
  uniqueIndex('vapps_vdc_name_uq').on(t.vdcId, t.nameKey),
  index('vapps_org_idx').on(t.orgId),
]);

export const vms = sqliteTable('vms', {
  id: text('id').primaryKey(),
  vappId: text('vapp_id').notNull().references(() => vapps.id, { onDelete: 'cascade' }),
  vdcId: text('vdc_id').notNull(),
  orgId: text('org_id').notNull(),
  namespace: text('namespace').notNull(),
  name: text('name').notNull(),
  uid: text('uid').notNull().unique(),
  description: text('description').notNull().default(''),
  status: text('status', { enum: VM_STATUSES }).notNull(),
  statusMessage: text('status_message'),
  printableStatus: text('printable_status'),
  guestOs: text('guest_os'),
  numCpus: integer('num_cpus'),
  coresPerSocket: integer('cores_per_socket'),
  memoryMb: integer('memory_mb'),
  interfaces: text('interfaces', { mode: 'json' }).$type<VmInterface[]>().notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [
  uniqueIndex('vms_ns_name_uq').on(t.namespace, t.name),
  index('vms_vapp_idx').on(t.vappId),
]);

export interface VmInterface { name: string; ipAddress: string | null; macAddress: string | null }

export const tasks = sqliteTable('tasks', {
  id: text('id').primaryKey(),
  operationName: text('operation_name').notNull(),
  operation: text('operation').notNull(),
  status: text('status', { enum: TASK_STATUSES }).notNull(),
  progress: integer('progress').notNull().default(0),
  ownerType: text('owner_type').notNull(),
  ownerId: text('owner_id').notNull(),
  ownerName: text('owner_name').notNull(),
  userId: text('user_id').notNull(),
  userName: text('user_name').notNull(),
  orgId: text('org_id').notNull(),
  orgName: text('org_name').notNull(),
  errorCode: text('error_code'),
  errorMessage: text('error_message'),
  startTime: integer('start_time').notNull(),
  endTime: integer('end_time'),
}, (t) => [index('tasks_org_idx').on(t.orgId), index('tasks_owner_idx').on(t.ownerId)]);

/**
 * One row the readiness probe rewrites every few seconds (lib/write-probe.ts): a read succeeds on
 * a full or read-only disk, only a committed write shows the write path works.
 */
export const writeProbe = sqliteTable('write_probe', {
  id: integer('id').primaryKey(),
  at: integer('at').notNull(),
});
