/**
 * Online backups of the SQLite file, while the server keeps serving: SQLite's backup API (through
 * better-sqlite3's `backup()`) copies the database in one step, which reads one consistent
 * snapshot (WAL: writers are not blocked). The copy is written beside the target, checked
 * (`PRAGMA quick_check`) and renamed into place, so a backup file is never half-written.
 *
 * Restore (README): stop the server, copy the backup to SSVIRT_DB_PATH, delete the old
 * `-wal` and `-shm` files beside it (they belong to the old database), start the server.
 *
 * Optionally a periodic backup into a folder (`SSVIRT_BACKUP_INTERVAL_MINUTES`), keeping the
 * newest `SSVIRT_BACKUP_KEEP` files.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Db } from '#db/client.ts';
import type { Log } from './log.ts';

export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
  ms: number;
}

/** All remaining pages in one step: one consistent snapshot, no restarts when others write. */
const ALL_PAGES = 0x7fffffff;

/** Copies the open database to `file` (created or replaced); throws when the copy is not sound. */
export async function backupDatabase(db: Db, file: string): Promise<BackupResult> {
  const started = performance.now();
  const target = resolve(file);
  const source = db.$client.name;
  if (source && source !== ':memory:' && resolve(source) === target) throw new Error(`refusing to back up the database onto itself (${target})`);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  try {
    const progress = await db.$client.backup(tmp, { progress: () => ALL_PAGES });
    checkFile(tmp);
    renameSync(tmp, target);
    return { file: target, bytes: statSync(target).size, pages: progress.totalPages, ms: Math.round(performance.now() - started) };
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}-wal`, { force: true });
    rmSync(`${tmp}-shm`, { force: true });
  }
}

/** Opens a backup, runs SQLite's quick check, and leaves it as a single self-contained file. */
function checkFile(file: string): void {
  const copy = new Database(file);
  try {
    const result = copy.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new Error(`the backup failed its integrity check: ${String(result)}`);
    // Rollback journal: the backup is one file, restorable by copying it alone.
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

const PERIODIC = /^ssvirt-\d{8}T\d{6}Z\.db$/;

/** `ssvirt-20261128T101500Z.db` for a date. */
export function periodicName(at: Date): string {
  return `ssvirt-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.db`;
}

/** Deletes the oldest periodic backups in `dir` beyond `keep`; answers the deleted names. */
export function pruneBackups(dir: string, keep: number): string[] {
  const files = readdirSync(dir).filter((f) => PERIODIC.test(f)).sort();
  const old = files.slice(0, Math.max(0, files.length - keep));
  for (const f of old) rmSync(join(dir, f), { force: true });
  return old;
}

/** Backs up every `intervalMs` into `dir`, keeping the newest `keep`; `stop()` ends it. */
export function startPeriodicBackup(opts: { db: Db; dir: string; intervalMs: number; keep: number; log: Log; now?: () => Date }): { stop(): Promise<void> } {
  const now = opts.now ?? (() => new Date());
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return; // a slow backup is not overlapped by the next one
    running = (async () => {
      try {
        const r = await backupDatabase(opts.db, join(opts.dir, periodicName(now())));
        const pruned = pruneBackups(opts.dir, opts.keep);
        opts.log.info({ file: r.file, bytes: r.bytes, ms: r.ms, pruned: pruned.length }, 'periodic backup written');
      } catch (e) {
        opts.log.error({ err: e, dir: opts.dir }, 'periodic backup failed');
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(run, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
