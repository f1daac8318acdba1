/**
 * Writes that land after their call failed. A call that timed out or lost its connection may
 * still be carried out by the API server afterwards (it had the request; the client stopped
 * waiting). When such a call was part of a create that is being undone, the undo can finish
 * before the late write lands — a namespace, Secret or instance would then outlive its row.
 * So a row undone after a failure of unknown outcome stays DELETING, with this message, for
 * `Cluster.lateWriteMs` (twice the client timeout: a request held longer than three client
 * timeouts is assumed dropped); the reconciler deletes its objects again meanwhile.
 */
import type { Cluster } from './cluster.ts';
import { classify } from './errors.ts';

/** The status message of a row whose create is being undone. */
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

/** Whether writes of the undone create of this row may still land (keep the row a while). */
export function lateWritesPossible(row: { statusMessage: string | null; updatedAt: number }, k8s: Pick<Cluster, 'lateWriteMs'>, now: number): boolean {
  return row.statusMessage === UNDO_MESSAGE && now - row.updatedAt < (k8s.lateWriteMs ?? 0);
}
