/**
 * Session rows by token hash, valid while the database generation (db/generation.ts) is the one
 * they were read at: any write — a logout, a disabled user or org, a role change, the once-a-minute
 * touch — drops them all, so a cached row is always what the lookup would return now. Expiry by
 * time is still checked on every request (lib/auth/session.ts). Saves the joined session query
 * (user, org, roles) on most requests.
 */
import type { SessionRow } from '#db/queries/sessions.ts';
import { GenerationGate } from '#db/generation.ts';

/** Beyond this many sessions between two writes, the cache starts over (bounds memory). */
const MAX_ENTRIES = 10_000;

export class SessionCache {
  private readonly gate = new GenerationGate();
  private readonly rows = new Map<string, SessionRow>();

  /** The row read for `tokenHash` at `generation`, if any. */
  get(tokenHash: string, generation: string): SessionRow | undefined {
    if (this.gate.advance(generation)) {
      this.rows.clear();
      return undefined;
    }
    return this.rows.get(tokenHash);
  }

  /** Keeps a row read at `generation` (ignored when the cache has seen a newer one). */
  set(tokenHash: string, generation: string, row: SessionRow): void {
    if (!this.gate.holds(generation)) return;
    if (this.rows.size >= MAX_ENTRIES) this.rows.clear();
    this.rows.set(tokenHash, row);
  }
}
