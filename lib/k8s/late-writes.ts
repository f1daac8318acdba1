/**
 * Writes that land after their call failed. A call that timed out or lost its connection may
 * still be carried out by the API server afterwards (it had the request; the client stopped
 * waiting). When such a call was part of a create that is being undone, the undo can finish
 * before the late write lands — a namespace, Secret or instance would then outlive its row.
 * So a row undone after a failure of unknown outcome stays DELETING for `Cluster.lateWriteMs`
 * from its `undoStartedAt` (twice the client timeout: a request held longer than three client
 * timeouts is assumed dropped); the reconciler deletes its objects again meanwhile. The column,
 * not the status message, is the mark: a later delete request rewrites the message, and the
 * late writes may land all the same. The row leaves DELETING only by going, so nothing clears it.
 */
import type { Cluster } from './cluster.ts';
import { classify } from './errors.ts';

/** The status message of a row whose create is being undone after a failure of unknown outcome (human text only). */
export const UNDO_MESSAGE = 'Creation failed; removing what it created';

/**
 * Whether the outcome of a failed call is unknown: no answer came (a timeout, a connection lost
 * or refused), so the API server may still carry it out. An answered failure (a 5xx Status) is
 * final: what follows sees the cluster as it stays.
 */
export function outcomeUnknown(e: unknown): boolean {
  const k = classify(e);
  return k.kind === 'timeout' || (k.kind === 'unavailable' && k.status === undefined);
}

/** The columns that mark a row whose create is being undone after a failure of unknown outcome. */
export function undoStarted(now: number): { statusMessage: string; undoStartedAt: number } {
  return { statusMessage: UNDO_MESSAGE, undoStartedAt: now };
}

/** Whether writes of the undone create of this row may still land (keep the row a while). */
export function lateWritesPossible(row: { undoStartedAt: number | null }, k8s: Pick<Cluster, 'lateWriteMs'>, now: number): boolean {
  return row.undoStartedAt !== null && now - row.undoStartedAt < (k8s.lateWriteMs ?? 0);
}
