/**
 * Rows for tests, written straight through the schema so a test of one endpoint does not depend
 * on another endpoint working.
 */
import { randomUUID } from 'node:crypto';
import { orgs, users, userRoles, vdcs, catalogs, vapps, vms, tasks } from '#db/schema.ts';
import type { Db } from '#db/client.ts';
import { hashPassword, type ScryptParams } from '#lib/auth/password.ts';
import { BUILTIN_ROLES, type RoleName } from '#lib/auth/roles.ts';

const now = () => Date.now();

/** scrypt cost for tests: the production N=2^17 costs ~0.4 s a hash, 2^10 a few milliseconds. */
export const TEST_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 10, r: 8, p: 1 });
let fastHash: Promise<string> | undefined;

/** An organization. */
export function seedOrg(db: Db, name: string, extra: Partial<typeof orgs.$inferInsert> = {}) {
  const row = { id: randomUUID(), name, nameKey: name.toLowerCase(), displayName: name, description: '', isEnabled: true, canPublish: false, isProvider: false, version: 1, createdAt: now(), updatedAt: now(), ...extra };
  db.insert(orgs).values(row).run();
  return row;
}

export const USER_PASSWORD = 'user-password-1';

/** A user with one role (password USER_PASSWORD). */
export async function seedUser(db: Db, orgId: string, username: string, role: RoleName, extra: Partial<typeof users.$inferInsert> = {}) {
  fastHash ??= hashPassword(USER_PASSWORD, TEST_SCRYPT);
  const row = { id: randomUUID(), orgId, username, usernameKey: username.toLowerCase(), fullName: username, email: '', description: '', passwordHash: await fastHash, enabled: true, version: 1, passwordGeneration: 0, createdAt: now(), updatedAt: now(), ...extra };
  db.insert(users).values(row).run();
  db.insert(userRoles).values({ userId: row.id, roleId: BUILTIN_ROLES.find((r) => r.name === role)!.id, position: 0 }).run();
  return row;
}

/** A VDC (status READY unless given). */
export function seedVdc(db: Db, orgId: string, name: string, extra: Partial<typeof vdcs.$inferInsert> = {}) {
  const id = randomUUID();
  const row = { id, orgId, name, nameKey: name.toLowerCase(), description: '', allocationModel: 'AllocationVApp', storageProfiles: [], status: 'READY' as const, namespace: `vdc-${id.slice(0, 8)}`, version: 1, createdAt: now(), updatedAt: now(), ...extra };
  db.insert(vdcs).values(row).run();
  return row;
}

/** A catalog. */
export function seedCatalog(db: Db, orgId: string, name: string, extra: Partial<typeof catalogs.$inferInsert> = {}) {
  const row = { id: randomUUID(), orgId, ownerId: null, name, nameKey: name.toLowerCase(), description: '', isPublished: false, version: 1, createdAt: now(), updatedAt: now(), ...extra };
  db.insert(catalogs).values(row).run();
  return row;
}

/** A vApp in a VDC. */
export function seedVapp(db: Db, vdc: { id: string; orgId: string; namespace: string }, ownerId: string, name: string, extra: Partial<typeof vapps.$inferInsert> = {}) {
  const row = { id: randomUUID(), vdcId: vdc.id, orgId: vdc.orgId, ownerId, name, nameKey: name.toLowerCase(), description: '', status: 'POWERED_OFF' as const, templateNamespace: 'openshift', templateName: 'fedora-small', instanceName: name.toLowerCase(), parameters: {}, createdAt: now(), updatedAt: now(), ...extra };
  db.insert(vapps).values(row).run();
  return row;
}

/** A VM in a vApp. */
export function seedVm(db: Db, vapp: { id: string; vdcId: string; orgId: string }, namespace: string, name: string, extra: Partial<typeof vms.$inferInsert> = {}) {
  const row = { id: randomUUID(), vappId: vapp.id, vdcId: vapp.vdcId, orgId: vapp.orgId, namespace, name, uid: randomUUID(), description: '', status: 'POWERED_OFF' as const, interfaces: [], createdAt: now(), updatedAt: now(), ...extra };
  db.insert(vms).values(row).run();
  return row;
}

/** A task. */
export function seedTask(db: Db, extra: Partial<typeof tasks.$inferInsert> & { orgId: string; userId: string; ownerId: string }) {
  const row = { id: randomUUID(), operationName: 'vappPowerOn', operation: 'Powering on', status: 'running' as const, progress: 0, ownerType: 'vapp', ownerName: 'x', userName: 'u', orgName: 'o', startTime: now(), ...extra };
  db.insert(tasks).values(row).run();
  return row;
}
