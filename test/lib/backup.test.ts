import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { openDb, closeDb, type Db } from '#db/client.ts';
import { createLog } from '#lib/log.ts';
import { backupDatabase, periodicName, pruneBackups, startPeriodicBackup } from '#lib/backup.ts';
import { buildOnce, startServer, tempDir, waitReady, type ServerProcess } from '#test/support/server-process.ts';

const quietLog = () => {
  const lines: Record<string, any>[] = [];
  return { lines, log: createLog('info', new Writable({ write(c, _e, cb) { for (const l of String(c).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } })) };
};

function seedRows(db: Db, n: number, from = 0) {
  db.$client.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const ins = db.$client.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  db.$client.transaction(() => { for (let i = from; i < from + n; i++) ins.run(i, 'x'.repeat(200)); })();
}

describe('backupDatabase', () => {
  let dir: string;
  let db: Db;
  beforeAll(() => {
    dir = tempDir('backup');
    db = openDb(join(dir, 'live.db'));
    seedRows(db, 2000);
  });
  afterAll(() => { closeDb(db); rmSync(dir, { recursive: true, force: true }); });

  it('writes one self-contained, consistent file (no -wal needed) with every row', async () => {
    const r = await backupDatabase(db, join(dir, 'out', 'copy.db'));
    expect(r.file).toBe(join(dir, 'out', 'copy.db'));
    expect(r.pages).toBeGreaterThan(10);
    expect(r.bytes).toBeGreaterThan(2000 * 200);
    expect(readdirSync(join(dir, 'out'))).toEqual(['copy.db']);
    const copy = new Database(r.file, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 });
    // The real schema came along (migrations table included), so the server can open it as is.
    expect(copy.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'orgs'").get()).toEqual({ n: 1 });
    copy.close();
  });

  it('replaces an older backup atomically', async () => {
    const file = join(dir, 'again.db');
    writeFileSync(file, 'not a database');
    await backupDatabase(db, file);
    const copy = new Database(file, { readonly: true });
    expect(copy.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 });
    copy.close();
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses to write the backup onto the live database', async () => {
    await expect(backupDatabase(db, join(dir, 'live.db'))).rejects.toThrow(/onto itself/);
    expect(db.$client.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 });
  });

  it('takes a consistent snapshot while another connection keeps writing', async () => {
    const writer = new Database(join(dir, 'live.db'));
    writer.pragma('busy_timeout = 5000');
    const ins = writer.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    let next = 100_000;
    let stop = false;
    const committedBefore = (db.$client.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
    const writing = (async () => {
      while (!stop) {
        writer.transaction(() => { for (let i = 0; i < 50; i++) ins.run(next++, 'y'.repeat(200)); })();
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    const r = await backupDatabase(db, join(dir, 'during.db'));
    stop = true;
    await writing;
    writer.close();
    const copy = new Database(r.file, { readonly: true });
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    const n = (copy.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
    expect(n).toBeGreaterThanOrEqual(committedBefore);
    // Whole transactions only: the writer commits 50 rows at a time.
    expect((n - 2000) % 50).toBe(0);
    copy.close();
  });
});

describe('periodic backups', () => {
  it('names files by UTC time and keeps the newest N, leaving other files alone', () => {
    const dir = tempDir('prune');
    expect(periodicName(new Date('2026-11-28T10:15:00.123Z'))).toBe('ssvirt-20261128T101500Z.db');
    const names = [1, 2, 3, 4, 5].map((h) => periodicName(new Date(Date.UTC(2026, 10, 28, h))));
    for (const n of [...names, 'manual.db', 'ssvirt.db']) writeFileSync(join(dir, n), '');
    expect(pruneBackups(dir, 2)).toEqual(names.slice(0, 3));
    expect(readdirSync(dir).sort()).toEqual([...names.slice(3), 'manual.db', 'ssvirt.db'].sort());
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up on its interval and prunes', async () => {
    const dir = tempDir('periodic');
    const db = openDb(join(dir, 'live.db'));
    seedRows(db, 10);
    const { log, lines } = quietLog();
    let t = Date.UTC(2026, 10, 28, 0, 0, 0);
    const p = startPeriodicBackup({ db, dir: join(dir, 'backups'), intervalMs: 30, keep: 2, log, now: () => new Date((t += 60_000)) });
    const deadline = Date.now() + 10_000;
    while (lines.filter((l) => l.msg === 'periodic backup written').length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await p.stop();
    const files = readdirSync(join(dir, 'backups'));
    expect(files).toHaveLength(2);
    for (const f of files) expect(f).toMatch(/^ssvirt-20261128T\d{6}Z\.db$/);
    expect(lines.some((l) => l.msg === 'periodic backup failed')).toBe(false);
    closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  });
});

interface Run { code: number | null; stdout: string; stderr: string }
function run(cmd: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

describe('backup and restore with the production build (node dist/admin.mjs backup, during writes)', () => {
  const PASSWORD = 'backup-password-1';
  const auth = { authorization: `Basic ${Buffer.from(`admin@System:${PASSWORD}`).toString('base64')}`, accept: 'application/json;version=39.0' };
  let dist: string;
  let data: string;
  let live: ServerProcess | undefined;
  let restored: ServerProcess | undefined;
  beforeAll(async () => {
    dist = await buildOnce();
    data = tempDir('restore');
  }, 120_000);
  afterAll(async () => {
    await live?.stop(2_000);
    await restored?.stop(2_000);
    rmSync(dist, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  const token = async (url: string) => {
    const res = await fetch(`${url}/cloudapi/1.0.0/sessions/provider`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    return res.headers.get('x-vmware-vcloud-access-token')!;
  };

  it('the restored database holds every write acknowledged before the backup began', async () => {
    const dbPath = join(data, 'live', 'ssvirt.db');
    const env = { SSVIRT_DB_PATH: dbPath, SSVIRT_ADMIN_PASSWORD: PASSWORD, SSVIRT_LOGIN_DELAY_MS: '0' };
    live = await startServer({ dist, env });
    await waitReady(live, 60_000);
    const tok = await token(live.url);
    const headers = { ...auth, authorization: `Bearer ${tok}`, 'content-type': 'application/json' };

    // Writers: create organizations one after another on 4 connections, noting each 201 and when.
    const acked: { id: string; name: string; at: number }[] = [];
    let stop = false;
    let n = 0;
    const writer = async () => {
      while (!stop) {
        const name = `org-${n++}`;
        const res = await fetch(`${live!.url}/cloudapi/1.0.0/orgs`, { method: 'POST', headers, body: JSON.stringify({ name, displayName: name }) });
        const body = (await res.json()) as { id: string };
        expect(res.status).toBe(201);
        acked.push({ id: body.id, name, at: performance.now() });
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    while (acked.length < 20) await new Promise((r) => setTimeout(r, 5));

    const backupFile = join(data, 'backups', 'ssvirt-backup.db');
    const began = performance.now();
    const ackedBefore = acked.filter((a) => a.at < began);
    const result = await run([process.execPath, join(dist, 'admin.mjs'), 'backup', backupFile], { SSVIRT_DB_PATH: dbPath, SSVIRT_LOG_LEVEL: 'warn' });
    const ended = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(writers);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^backed up \d+ pages \(\d+ bytes\) to .*ssvirt-backup\.db in \d+ ms\n$/);
    // The writes really went on during the backup.
    expect(acked.filter((a) => a.at > began && a.at < ended).length).toBeGreaterThan(0);

    // Restore as the README says: stop, copy the file to SSVIRT_DB_PATH, drop stale -wal/-shm, start.
    expect(await live.stop()).toBe(0);
    live = undefined;
    const restoredPath = join(data, 'restored', 'ssvirt.db');
    mkdirSync(join(data, 'restored'));
    writeFileSync(`${restoredPath}-wal`, 'stale'); // what an old database would leave behind
    copyFileSync(backupFile, restoredPath);
    for (const f of [`${restoredPath}-wal`, `${restoredPath}-shm`]) rmSync(f, { force: true });
    restored = await startServer({ dist, env: { ...env, SSVIRT_DB_PATH: restoredPath } });
    await waitReady(restored, 60_000);
    const tok2 = await token(restored.url);
    for (const a of ackedBefore) {
      const res = await fetch(`${restored.url}/cloudapi/1.0.0/orgs/${encodeURIComponent(a.id)}`, { headers: { ...auth, authorization: `Bearer ${tok2}` } });
      expect(res.status, a.name).toBe(200);
      expect(((await res.json()) as { name: string }).name).toBe(a.name);
    }
    // Nothing beyond what was acknowledged by the end of the backup, and nothing half-written.
    const list = await fetch(`${restored.url}/cloudapi/1.0.0/orgs?pageSize=128&filter=${encodeURIComponent('name==org-*')}`, { headers: { ...auth, authorization: `Bearer ${tok2}` } });
    expect(list.status).toBe(200);
    const page = (await list.json()) as { resultTotal: number; values: { name: string }[] };
    expect(page.resultTotal).toBeGreaterThanOrEqual(ackedBefore.length);
    const known = new Set(acked.map((a) => a.name));
    for (const o of page.values) expect(known.has(o.name), o.name).toBe(true);
    expect(ackedBefore.length).toBeGreaterThanOrEqual(20);
    expect(existsSync(backupFile)).toBe(true);
  }, 120_000);

  it('refuses a missing database and a missing file argument (exit 2)', async () => {
    const missing = await run([process.execPath, join(dist, 'admin.mjs'), 'backup', join(data, 'x.db')], { SSVIRT_DB_PATH: join(data, 'nothing', 'ssvirt.db') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no database at SSVIRT_DB_PATH=/);
    expect(existsSync(join(data, 'nothing'))).toBe(false);
    const noArg = await run([process.execPath, join(dist, 'admin.mjs'), 'backup'], { SSVIRT_DB_PATH: join(data, 'restored', 'ssvirt.db') });
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toMatch(/expected 1 argument/);
  }, 60_000);
});
