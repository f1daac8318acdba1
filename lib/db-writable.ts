/**
 * The database must be writable before SQLite opens it: opening a read-only file in WAL mode fails
 * late with "readonly database" naming no file, and can leave `-wal`/`-shm` files behind that stay
 * read-only after the cause is fixed. This check names the path and the reason in one line.
 */
import { accessSync, statSync, constants as fsc } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why the database at `path` cannot be written, or undefined when it can (or will be created). */
export function dbNotWritable(path: string): string | undefined {
  if (path === ':memory:') return undefined;
  const file = resolve(path);
  const folder = dirname(file);
  const exists = (p: string) => { try { statSync(p); return true; } catch { return false; } };
  const writable = (p: string) => { try { accessSync(p, fsc.W_OK); return true; } catch { return false; } };
  // SQLite creates the journal files beside the database, so the folder must take new files too.
  if (!exists(folder)) {
    // openDb creates a missing folder; its nearest existing ancestor must then be writable.
    let up = dirname(folder);
    while (!exists(up) && dirname(up) !== up) up = dirname(up);
    return writable(up) ? undefined : `cannot create the database folder ${folder}: ${up} is not writable`;
  }
  if (!writable(folder)) return `the database folder ${folder} is not writable (SQLite writes its -wal and -shm files there)`;
  for (const p of [file, `${file}-wal`, `${file}-shm`]) {
    if (exists(p) && !writable(p)) return `the database file ${p} is not writable`;
  }
  return undefined;
}
