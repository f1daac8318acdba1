import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, writeFileSync, chmodSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dbNotWritable as inProcess } from '#lib/db-writable.ts';

// Permission bits do not stop root: as root, the check runs in a child as the unprivileged user
// 65534 (nobody), which is how the server runs in a container.
const asRoot = process.getuid?.() === 0;
const MODULE = fileURLToPath(new URL('../../lib/db-writable.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
function dbNotWritable(path: string): string | undefined {
  if (!asRoot) return inProcess(path);
  const code = `import(${JSON.stringify(MODULE)}).then((m) => process.stdout.write(JSON.stringify(m.dbNotWritable(${JSON.stringify(path)}) ?? null)))`;
  const r = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', code], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) ?? undefined;
}

describe('dbNotWritable', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs) chmodSync(d, 0o755); dirs.length = 0; });
  const fresh = () => { const d = mkdtempSync(join(tmpdir(), 'ssvirt-dbw-')); chmodSync(d, 0o777); return d; };

  it('accepts a new database in a writable folder, a missing folder under one, and :memory:', () => {
    const d = fresh();
    expect(dbNotWritable(join(d, 'ssvirt.db'))).toBeUndefined();
    expect(dbNotWritable(join(d, 'a', 'b', 'ssvirt.db'))).toBeUndefined();
    expect(dbNotWritable(':memory:')).toBeUndefined();
  });

  it('names a read-only database file', () => {
    const d = fresh();
    const db = join(d, 'ssvirt.db');
    writeFileSync(db, '');
    chmodSync(db, 0o444);
    expect(dbNotWritable(db)).toBe(`the database file ${db} is not writable`);
  });

  it('names a read-only -wal file left by an earlier start', () => {
    const d = fresh();
    const db = join(d, 'ssvirt.db');
    writeFileSync(db, '');
    chmodSync(db, 0o666);
    writeFileSync(`${db}-wal`, '');
    chmodSync(`${db}-wal`, 0o444);
    expect(dbNotWritable(db)).toBe(`the database file ${db}-wal is not writable`);
  });

  it('names a read-only folder (SQLite must create its journal files there)', () => {
    const d = fresh();
    const sub = join(d, 'data');
    mkdirSync(sub);
    writeFileSync(join(sub, 'ssvirt.db'), '');
    chmodSync(sub, 0o555);
    dirs.push(sub);
    expect(dbNotWritable(join(sub, 'ssvirt.db'))).toMatch(new RegExp(`^the database folder ${sub} is not writable`));
    expect(existsSync(join(sub, 'ssvirt.db-wal'))).toBe(false);
  });
});
