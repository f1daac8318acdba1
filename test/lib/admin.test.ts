import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, closeDb, type Db } from '#db/client.ts';
import { bootstrap } from '#lib/bootstrap.ts';
import { createApp } from '#lib/app.ts';
import { loadConfig } from '#lib/config.ts';
import { createLog } from '#lib/log.ts';
import { loadRoutes } from '#lib/http/routes.ts';
import { findUserByUsername, findUserWithOrg, userRoleRefs } from '#db/queries/users.ts';
import { verifyPassword } from '#lib/auth/password.ts';
import { seedOrg } from '#test/support/fixtures.ts';
import { main } from '#lib/admin.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const ADMIN_PW = 'admin-password-1';

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs `tsx lib/admin.ts …` (what `npm run admin --` runs) against the given database file. */
function admin(dbPath: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['lib/admin.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, SSVIRT_DB_PATH: dbPath, SSVIRT_ADMIN_PASSWORD: ADMIN_PW, SSVIRT_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Logs in through the real app on the same file; answers the status and token. */
async function login(db: Db, user: string, password: string): Promise<{ status: number; token: string | null }> {
  const config = loadConfig({ SSVIRT_DB_PATH: ':memory:', SSVIRT_LOGIN_DELAY_MS: '0' });
  const app = createApp({ db, config, log: createLog('silent'), routes: await loadRoutes() });
  const res = await app.request('/cloudapi/1.0.0/sessions', { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
  return { status: res.status, token: res.headers.get('x-vmware-vcloud-access-token') };
}

async function me(db: Db, token: string): Promise<number> {
  const config = loadConfig({ SSVIRT_DB_PATH: ':memory:' });
  const app = createApp({ db, config, log: createLog('silent'), routes: await loadRoutes() });
  return (await app.request('/cloudapi/1.0.0/sessions/current', { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('lib/admin.ts (npm run admin)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ssvirt-admin-'));
    file = join(dir, 'ssvirt.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a user in an existing org who can then log in; never prints the given password', async () => {
    const db = openDb(file);
    await bootstrap(db, { adminUsername: 'admin', adminPassword: ADMIN_PW, log: createLog('silent') });
    seedOrg(db, 'Acme');
    const r = await admin(file, 'create-user', '--username', 'olive', '--password', 'olive-password', '--org', 'acme', '--role', 'Organization Administrator', '--full-name', 'Olive O', '--email', 'o@example.com');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("created user 'olive'");
    expect(r.stdout + r.stderr).not.toContain('olive-password');
    const u = findUserWithOrg(db, findUserByUsername(db, 'olive')!.id)!;
    expect(u).toMatchObject({ orgName: 'Acme', fullName: 'Olive O', email: 'o@example.com', enabled: true });
    expect(userRoleRefs(db, u.id).map((x) => x.name)).toEqual(['Organization Administrator']);
    expect((await login(db, 'olive@Acme', 'olive-password')).status).toBe(200);
    closeDb(db);
  }, 60_000);

  it('works on an empty database file (bootstraps it) and generates a password when none is given', async () => {
    const r = await admin(file, 'create-user', '--username', 'gen', '--org', 'Provider');
    expect(r.code).toBe(0);
    const m = /generated password for 'gen': (\S+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    const db = openDb(file);
    expect(await verifyPassword(m![1]!, findUserByUsername(db, 'gen')!.passwordHash)).toBe(true);
    expect(userRoleRefs(db, findUserByUsername(db, 'gen')!.id).map((x) => x.name)).toEqual(['vApp User']);
    expect((await login(db, 'admin', ADMIN_PW)).status).toBe(200);
    closeDb(db);
  }, 60_000);

  it('resets a password, ends the sessions, and prints only a generated one', async () => {
    expect((await admin(file, 'create-user', '--username', 'rita', '--org', 'Provider', '--password', 'first-password')).code).toBe(0);
    const db = openDb(file);
    const { token } = await login(db, 'rita', 'first-password');
    expect(await me(db, token!)).toBe(200);

    const given = await admin(file, 'reset-password', '--username', 'RITA', '--password', 'second-password');
    expect(given.code).toBe(0);
    expect(given.stdout + given.stderr).not.toContain('second-password');
    expect(await me(db, token!)).toBe(401);
    expect((await login(db, 'rita', 'first-password')).status).toBe(401);
    expect((await login(db, 'rita', 'second-password')).status).toBe(200);

    const gen = await admin(file, 'reset-password', '--username', 'rita');
    expect(gen.code).toBe(0);
    const pw = /generated password for 'rita': (\S+)/.exec(gen.stdout)![1]!;
    expect(pw.length).toBeGreaterThanOrEqual(16);
    expect((await login(db, 'rita', pw)).status).toBe(200);
    closeDb(db);
  }, 90_000);

  it('answers exit code 1 for a taken username', async () => {
    const r = await admin(file, 'create-user', '--username', 'ADMIN', '--org', 'Provider', '--password', 'whatever-pw');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already exists');
    expect(r.stderr).not.toContain('whatever-pw');
  }, 60_000);

  it('answers exit code 2 and the usage on stderr for a bad command line', async () => {
    const r = await admin(file, 'create-user', '--org', 'Provider');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--username is required');
    expect(r.stderr).toContain('usage: npm run admin -- create-user');
    expect(r.stdout).toBe('');
  }, 60_000);

  // The same entry point in-process: spawning costs seconds, and the argument checks need no process.
  it.each([
    [[], 'no command'],
    [['backup-all'], "unknown command 'backup-all'"],
    [['create-user', '--username', 'x', '--org', 'Provider', '--colour', 'red'], "'--colour'"],
    [['create-user', '--username', 'x', '--org', 'Provider', 'extra'], 'extra'],
    [['create-user', '--username', 'x'], '--org is required'],
    [['create-user', '--username', '', '--org', 'Provider'], '--username is required'],
    [['create-user', '--username', 'a b', '--org', 'Provider'], '--username: may contain only'],
    [['create-user', '--username', 'x'.repeat(129), '--org', 'Provider'], '--username: must be at most 128'],
    [['create-user', '--username', 'x', '--org', 'Provider', '--password', 'short-1'], '--password: must be at least 8'],
    [['create-user', '--username', 'x', '--org', 'Provider', '--email', 'nope'], '--email: must be an e-mail address'],
    [['create-user', '--username', 'x', '--org', 'Nowhere'], "--org: no organization 'Nowhere'"],
    [['create-user', '--username', 'x', '--org', 'Provider', '--role', 'Janitor'], "--role: no role 'Janitor'"],
    [['create-user', '--username', 'x', '--org', 'Acme', '--role', 'System Administrator'], '--role: the System Administrator role is only for users of the Provider organization'],
    [['reset-password'], '--username is required'],
    [['reset-password', '--username', 'ghost'], "--username: no user 'ghost'"],
    [['reset-password', '--username', 'admin', '--password', 'short'], '--password: must be at least 8'],
  ])('answers exit code 2 for %j', async (args, message) => {
    const db = openDb(file);
    await bootstrap(db, { adminUsername: 'admin', adminPassword: ADMIN_PW, log: createLog('silent') });
    seedOrg(db, 'Acme');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { env: { SSVIRT_DB_PATH: file, SSVIRT_LOG_LEVEL: 'silent' }, out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(out).toEqual([]);
    expect(findUserByUsername(db, 'x')).toBeUndefined();
    expect(await verifyPassword(ADMIN_PW, findUserByUsername(db, 'admin')!.passwordHash)).toBe(true);
    closeDb(db);
  });

  it('answers exit code 2 for a bad SSVIRT_ variable', async () => {
    const err: string[] = [];
    const code = await main(['reset-password', '--username', 'admin'], { env: { SSVIRT_DB_PATH: file, SSVIRT_SESSION_MAX_HOURS: 'lots' }, out: () => {}, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err.join()).toContain('SSVIRT_SESSION_MAX_HOURS');
  });
});
