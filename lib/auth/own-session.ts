/**
 * Looks up a session by id for its owner; anyone else gets VCD's 403.
 */
import type { Ctx } from '#lib/http/route.ts';
import { findSession } from '#db/queries/sessions.ts';
import { notVisible } from '#lib/http/errors.ts';
import { toUrn } from '#lib/urn.ts';
import { toSession, type Session } from './session.ts';

/** The caller's own session `id`, or a 403. */
export function ownSession(c: Ctx, id: string): Session {
  const row = findSession(c.var.db, { id });
  if (!row || row.userId !== c.var.session!.userId) throw notVisible('session', toUrn('session', id));
  return id === c.var.session!.id ? c.var.session! : toSession(row);
}
