import { describe, it, expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { SessionCache } from '#lib/auth/session-cache.ts';
import type { SessionRow } from '#db/queries/sessions.ts';
import { makeTestApp } from '#test/support/app.ts';
import { vdcWorld } from '#test/support/vdc-world.ts';
import { users, orgs } from '#db/schema.ts';

const row = (id: string): SessionRow => ({
  id, userId: 'u', username: 'alice', fullName: 'Alice', userEnabled: 1, orgId: 'o', orgName: 'Acme', orgEnabled: 1, orgIsProvider: 0,
  createdAt: 0, lastUsedAt: 0, expiresAt: 1, roles: '[]',
});

describe('SessionCache', () => {
  it('answers a row only at the generation it was read at', () => {
    const cache = new SessionCache();
    expect(cache.get('h', 'g1')).toBeUndefined();
    cache.set('h', 'g1', row('s1'));
    expect(cache.get('h', 'g1')?.id).toBe('s1');
    expect(cache.get('other', 'g1')).toBeUndefined();
    expect(cache.get('h', 'g2')).toBeUndefined();
    // Moving on dropped everything, and a row read at the old generation is not kept.
    cache.set('h', 'g1', row('s1'));
    expect(cache.get('h', 'g2')).toBeUndefined();
  });
});

describe('sessions through the cache', () => {
  it('ends a session at once when the user is disabled, the org disabled or the session deleted, even straight in the database', async () => {
    const t = await makeTestApp();
    const w = await vdcWorld(t);
    const me = async (token: string) => (await t.request('GET', '/cloudapi/1.0.0/vdcs', { token })).status;
    expect(await me(w.tokens.user)).toBe(200);
    expect(await me(w.tokens.user)).toBe(200); // answered from the cached row
    t.db.update(users).set({ enabled: false }).where(eq(users.usernameKey, 'acme-user')).run();
    expect(await me(w.tokens.user)).toBe(401);

    expect(await me(w.tokens.orgAdmin)).toBe(200);
    t.db.update(orgs).set({ isEnabled: false }).where(eq(orgs.id, w.acme.id)).run();
    expect(await me(w.tokens.orgAdmin)).toBe(401);

    expect(await me(w.tokens.betaUser)).toBe(200);
    expect((await t.request('DELETE', '/cloudapi/1.0.0/sessions/current', { token: w.tokens.betaUser })).status).toBe(204);
    expect(await me(w.tokens.betaUser)).toBe(401);
  });
});
