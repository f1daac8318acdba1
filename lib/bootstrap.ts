/**
 * First-start bootstrap (docs/api.md "First start"): the three roles, the `Provider` organization and one
 * System Administrator. Later starts change nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { atomic, type Db } from '#db/client.ts';
import { orgs, roles, userRoles, users } from '#db/schema.ts';
import { BUILTIN_ROLES, PROVIDER_ORG, SYSTEM_ADMIN } from './auth/roles.ts';
import { hashPassword, type ScryptParams } from './auth/password.ts';
import type { Log } from './log.ts';
import { providerOrg } from '#db/queries/orgs.ts';

/** Creates what an empty database needs; returns the generated admin password when one was made. */
export async function bootstrap(db: Db, opts: { adminUsername: string; adminPassword?: string; log: Log; now?: number; passwordParams?: ScryptParams }): Promise<{ generatedPassword?: string }> {
  const now = opts.now ?? Date.now();
  db.insert(roles).values(BUILTIN_ROLES).onConflictDoNothing().run();
  if (providerOrg(db)) return {};
  const generated = opts.adminPassword ? undefined : randomBytes(18).toString('base64url');
  const hash = await hashPassword(opts.adminPassword ?? generated!, opts.passwordParams);
  const orgId = randomUUID();
  const userId = randomUUID();
  const sysRole = BUILTIN_ROLES.find((r) => r.name === SYSTEM_ADMIN)!;
  atomic(db, () => {
    const tx = db;
    tx.insert(orgs).values({
      id: orgId, name: PROVIDER_ORG, nameKey: PROVIDER_ORG.toLowerCase(), displayName: 'System Organization',
      description: 'The provider organization', isEnabled: true, canPublish: true, isProvider: true, createdAt: now, updatedAt: now,
    }).run();
    tx.insert(users).values({
      id: userId, orgId, username: opts.adminUsername, usernameKey: opts.adminUsername.toLowerCase(),
      fullName: 'System Administrator', passwordHash: hash, enabled: true, createdAt: now, updatedAt: now,
    }).run();
    tx.insert(userRoles).values({ userId, roleId: sysRole.id, position: 0 }).run();
  });
  if (generated) {
    // Printed once, on purpose: the operator has no other way to learn it.
    opts.log.warn({ username: opts.adminUsername }, `generated password for the first System Administrator '${opts.adminUsername}': ${generated} (shown once; set SSVIRT_ADMIN_PASSWORD to choose it)`);
  } else {
    opts.log.info({ username: opts.adminUsername }, 'created the first System Administrator');
  }
  return { generatedPassword: generated };
}
