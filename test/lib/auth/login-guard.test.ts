import { describe, it, expect, vi, afterEach } from 'vitest';
import { makeTestApp, ADMIN, json } from '#test/support/app.ts';
import { seedOrg, seedUser } from '#test/support/fixtures.ts';
import { hashPassword, verifyPassword } from '#lib/auth/password.ts';
import type { PasswordImpl } from '#lib/auth/passwords.ts';
import { findUser } from '#db/queries/users.ts';

const LOGIN = '/cloudapi/1.0.0/sessions';
const basic = (login: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${login}:${pw}`).toString('base64')}`, accept: 'application/json' });
/** Node's request env as @hono/node-server passes it: the socket peer of the request. */
const fromPeer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

/** Real hashing that can be held open, recording which password checks started, in order. */
function heldImpl() {
  const started: string[] = [];
  let open!: () => void;
  let held = new Promise<void>((r) => { open = r; });
  const impl: PasswordImpl = {
    hash: (pw, params) => hashPassword(pw, params),
    async verify(pw, stored) {
      started.push(pw);
      await held;
      return verifyPassword(pw, stored);
    },
  };
  return { impl, started, release: () => open(), hold: () => { held = new Promise<void>((r) => { open = r; }); } };
}

/** Instant checks (no scrypt) so fake timers alone decide when each step happens. */
function countingImpl(right: string) {
  const calls: string[] = [];
  const impl: PasswordImpl = { hash: async () => 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', verify: async (pw) => { calls.push(pw); return pw === right; } };
  return { impl, calls };
}

afterEach(() => { vi.useRealTimers(); });

describe('login defences', () => {
  it('checks at most 2 passwords of one user at once, 3 from one clean address: of 200 parallel guesses the rest get 429 with Retry-After at once', async () => {
    const h = heldImpl();
    const t = await makeTestApp({ passwordImpl: h.impl });
    const answers = Array.from({ length: 200 }, (_, i) => t.request('POST', LOGIN, { headers: basic('admin@System', `guess-${i}`) }));
    const early = await Promise.all(answers.slice(3));
    expect(early.map((r) => r.status)).toEqual(Array(197).fill(429));
    expect(early[0]!.headers.get('retry-after')).toBe('1');
    expect((await json(early[0]!)).minorErrorCode).toBe('TOO_MANY_REQUESTS');
    // The third waits for one of the 2 hashing slots.
    expect(h.started).toHaveLength(2);
    h.release();
    expect((await Promise.all(answers.slice(0, 3))).map((r) => r.status)).toEqual([401, 401, 401]);
  });

  it('keeps one check of a user for a client address without failures, so guessing at the admin does not lock the admin out', async () => {
    const h = heldImpl();
    const t = await makeTestApp({ passwordImpl: h.impl, env: { SSVIRT_TRUSTED_PROXIES: '10.0.0.1' } });
    const router = fromPeer('10.0.0.1');
    const from = (client: string, pw: string) => t.app.request(LOGIN, { method: 'POST', headers: { ...basic('admin@System', pw), 'x-forwarded-for': client } }, router);
    // The guesser's first wave, from a clean address: the user's 2 slots and the address's own one.
    const guesses = Array.from({ length: 50 }, (_, i) => from('203.0.113.9', `guess-${i}`));
    const refused = await Promise.all(guesses.slice(3));
    expect(refused.every((r) => r.status === 429)).toBe(true);
    // The admin's address has a slot of its own; the guesser's has none left.
    const admin = from('198.51.100.7', ADMIN.password);
    expect((await from('203.0.113.9', 'guess-again')).status).toBe(429);
    h.release();
    expect((await admin).status).toBe(200);
    expect((await Promise.all(guesses.slice(0, 3))).map((r) => r.status)).toEqual([401, 401, 401]);
    // Failed now, the guesser's address gets no extra slot any more.
    h.hold();
    const next = [from('203.0.113.9', 'n1'), from('203.0.113.9', 'n2')];
    expect((await from('203.0.113.9', 'n3')).status).toBe(429);
    h.release();
    await Promise.all(next);
  });

  it('puts a clean login ahead of guesses from an address that has failed, when hashing is saturated', async () => {
    const h = heldImpl();
    const t = await makeTestApp({
      passwordImpl: h.impl,
      env: { SSVIRT_PASSWORD_HASH_CONCURRENCY: '1', SSVIRT_PASSWORD_HASH_QUEUE: '2', SSVIRT_TRUSTED_PROXIES: '10.0.0.1' },
    });
    const router = fromPeer('10.0.0.1');
    const attacker = (user: string) => t.app.request(LOGIN, { method: 'POST', headers: { ...basic(user, 'guess'), 'x-forwarded-for': '203.0.113.9' } }, router);
    h.release();
    expect((await attacker('someone')).status).toBe(401);
    h.hold();
    // Different usernames, so the per-user cap does not stop them: only the queue does.
    const spray = Array.from({ length: 10 }, (_, i) => attacker(`user-${i}`));
    await vi.waitFor(() => expect(h.started).toHaveLength(2));
    const admin = t.app.request(LOGIN, { method: 'POST', headers: { ...basic('admin@System', ADMIN.password), 'x-forwarded-for': '198.51.100.7' } }, router);
    h.release();
    expect((await admin).status).toBe(200);
    const statuses = (await Promise.all(spray)).map((r) => r.status).sort();
    // 1 hashing and 2 waiting of the 10; the admin took the place of one of the waiting ones.
    expect(statuses.filter((s) => s === 401)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8);
    expect(h.started[2]).toBe(ADMIN.password);
  });

  it('waits out the back-off of a recent failure before hashing, not after', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const c = countingImpl(ADMIN.password);
    const t = await makeTestApp({ passwordImpl: c.impl, env: { SSVIRT_LOGIN_DELAY_MS: '1000' } });
    const first = t.request('POST', LOGIN, { headers: basic('admin@System', 'wrong') });
    await vi.advanceTimersByTimeAsync(0);
    expect(c.calls).toEqual(['wrong']);
    // A second attempt in parallel: it hashes nothing until the first failure's back-off is over.
    const second = t.request('POST', LOGIN, { headers: basic('admin@System', ADMIN.password) });
    await vi.advanceTimersByTimeAsync(999);
    expect(c.calls).toEqual(['wrong']);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.calls).toEqual(['wrong', ADMIN.password]);
    expect((await first).status).toBe(401);
    expect((await second).status).toBe(200);
  });

  it('counts failures per address from a trusted X-Forwarded-For: one client failing does not slow another', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] });
    const c = countingImpl(ADMIN.password);
    const t = await makeTestApp({ passwordImpl: c.impl, env: { SSVIRT_LOGIN_DELAY_MS: '1000', SSVIRT_TRUSTED_PROXIES: '10.0.0.0/8' } });
    const via = (user: string, pw: string, client: string) => t.app.request(LOGIN, { method: 'POST', headers: { ...basic(user, pw), 'x-forwarded-for': client } }, fromPeer('10.0.0.1'));
    const failing = via('bob', 'wrong', '203.0.113.9');
    await vi.advanceTimersByTimeAsync(0);
    const admin = via('admin@System', ADMIN.password, '198.51.100.7');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.calls).toEqual(['wrong', ADMIN.password]);
    expect((await admin).status).toBe(200);
    // The same client again (another username): its address is in back-off.
    const again = via('carol', 'wrong', '203.0.113.9');
    await vi.advanceTimersByTimeAsync(0);
    expect(c.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await failing).status).toBe(401);
    expect((await again).status).toBe(401);
  });

  it('locks an account after N invalid logins for M minutes when the policy is on, without checking the password', async () => {
    let now = 1_000_000;
    const c = countingImpl(ADMIN.password);
    const t = await makeTestApp({ now: () => now, passwordImpl: c.impl, env: { SSVIRT_LOCKOUT_ENABLED: 'true', SSVIRT_LOCKOUT_INVALID_LOGINS: '3', SSVIRT_LOCKOUT_INTERVAL_MINUTES: '10' } });
    for (let i = 0; i < 3; i++) expect((await t.request('POST', LOGIN, { headers: basic('admin@System', 'wrong') })).status).toBe(401);
    const locked = await t.request('POST', LOGIN, { headers: basic('admin@System', ADMIN.password) });
    expect(locked.status).toBe(401);
    expect((await json(locked)).message).toMatch(/locked/);
    expect(c.calls).toHaveLength(3);
    // An unknown name locks the same way: the answer tells nothing about who exists.
    for (let i = 0; i < 3; i++) await t.request('POST', LOGIN, { headers: basic('nobody', 'wrong') });
    expect((await json(await t.request('POST', LOGIN, { headers: basic('nobody', 'x') }))).message).toMatch(/locked/);
    now += 10 * 60_000;
    expect((await t.request('POST', LOGIN, { headers: basic('admin@System', ADMIN.password) })).status).toBe(200);
  });

  it('never locks by default', async () => {
    const c = countingImpl(ADMIN.password);
    const t = await makeTestApp({ passwordImpl: c.impl });
    for (let i = 0; i < 12; i++) expect((await t.request('POST', LOGIN, { headers: basic('admin@System', 'wrong') })).status).toBe(401);
    expect((await t.request('POST', LOGIN, { headers: basic('admin@System', ADMIN.password) })).status).toBe(200);
  });

  it('rehashes a weaker hash at the next good login; the old one verified and the password is unchanged', async () => {
    const t = await makeTestApp();
    const acme = seedOrg(t.db, 'Acme');
    const old = await hashPassword('old-format-pw', { N: 2 ** 9, r: 8, p: 1 });
    const alice = await seedUser(t.db, acme.id, 'alice', 'vApp User', { passwordHash: old });
    const before = findUser(t.db, alice.id)!;
    expect((await t.request('POST', LOGIN, { headers: basic('alice@Acme', 'old-format-pw') })).status).toBe(200);
    const after = findUser(t.db, alice.id)!;
    expect(after.passwordHash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(after.passwordGeneration).toBe(before.passwordGeneration);
    expect(after.updatedAt).toBe(before.updatedAt);
    expect((await t.request('POST', LOGIN, { headers: basic('alice@Acme', 'old-format-pw') })).status).toBe(200);
    expect(findUser(t.db, alice.id)!.passwordHash).toBe(after.passwordHash);
  });
});
