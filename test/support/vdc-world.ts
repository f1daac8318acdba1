/**
 * A small world for VDC endpoint tests: orgs Acme and Beta, an Organization Administrator and a
 * vApp User in Acme, a vApp User in Beta, the System Administrator, and URL helpers that send
 * URNs percent-encoded as the UI does. Sessions are minted straight into the table (login itself
 * is tested elsewhere) so the many small tests here do not each pay four scrypt checks.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { TestApp } from './app.ts';
import { seedOrg, seedUser } from './fixtures.ts';
import { users } from '#db/schema.ts';
import { insertSession } from '#db/queries/sessions.ts';
import { hashToken, newToken } from '#lib/auth/token.ts';
import type { Db } from '#db/client.ts';

export interface VdcWorld {
  acme: ReturnType<typeof seedOrg>;
  beta: ReturnType<typeof seedOrg>;
  tokens: { sys: string; orgAdmin: string; user: string; betaUser: string };
}

/** Seeds the orgs and users and logs everyone in. */
export async function vdcWorld(t: TestApp): Promise<VdcWorld> {
  const acme = seedOrg(t.db, 'Acme');
  const beta = seedOrg(t.db, 'Beta');
  const orgAdmin = await seedUser(t.db, acme.id, 'acme-admin', 'Organization Administrator');
  const user = await seedUser(t.db, acme.id, 'acme-user', 'vApp User');
  const betaUser = await seedUser(t.db, beta.id, 'beta-user', 'vApp User');
  const admin = t.db.select().from(users).where(eq(users.usernameKey, 'admin')).get()!;
  return {
    acme, beta,
    tokens: {
      sys: mintSession(t.db, admin.id),
      orgAdmin: mintSession(t.db, orgAdmin.id),
      user: mintSession(t.db, user.id),
      betaUser: mintSession(t.db, betaUser.id),
    },
  };
}

/** A fresh session token for a user, valid for an hour. */
export function mintSession(db: Db, userId: string): string {
  const token = newToken();
  const now = Date.now();
  insertSession(db, { id: randomUUID(), tokenHash: hashToken(token), userId, createdAt: now, lastUsedAt: now, expiresAt: now + 3_600_000 });
  return token;
}

const enc = encodeURIComponent;

/** `/api/admin/org/{org urn}/vdcs[/{vdc urn}]`, percent-encoded. */
export function adminVdcsPath(orgId: string, vdcId?: string): string {
  const base = `/api/admin/org/${enc(`urn:vcloud:org:${orgId}`)}/vdcs`;
  return vdcId ? `${base}/${enc(`urn:vcloud:vdc:${vdcId}`)}` : base;
}

/** `/cloudapi/1.0.0/vdcs/{vdc urn}`, percent-encoded. */
export function tenantVdcPath(vdcId: string): string {
  return `/cloudapi/1.0.0/vdcs/${enc(`urn:vcloud:vdc:${vdcId}`)}`;
}
