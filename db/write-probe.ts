/**
 * The readiness probe's write: upserts the single `write_probe` row in its own transaction, so
 * each probe appends to the WAL and fails when the disk is full or the file read-only.
 */
import type { Db } from './client.ts';

/** Returns the probe's write for `db` (the statement prepared once). */
export function probeWriter(db: Db, now: () => number = Date.now): () => void {
  const stmt = db.$client.prepare('INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at');
  return () => { stmt.run(now()); };
}
