/**
 * Informer lists in pages (`limit` + `continue`): one list of 10,000 VirtualMachines is a single
 * response of tens of MB that client-node holds as text and as parsed objects at once, and the
 * process keeps that peak as RSS long after. Pages of LIST_PAGE objects bound the transient to one
 * page. The pages of one list are one consistent snapshot (the API server serves them from the
 * resourceVersion of the first), so the last page's resourceVersion is where the watch starts;
 * an expired continue token (410) fails the list and the informer starts over.
 */
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

export const LIST_PAGE = 500;

export interface PageRequest {
  limit: number;
  _continue?: string;
}

/** Lists every page and returns them as one list object. */
export async function listInPages<T extends KubernetesObject>(
  fetchPage: (page: PageRequest) => Promise<KubernetesListObject<T>>,
  limit = LIST_PAGE,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await fetchPage(token ? { limit, _continue: token } : { limit });
    for (const item of page.items) items.push(item);
    // Typed lists (CoreV1Api) name the token `_continue`; custom-object lists are plain JSON: `continue`.
    const meta = (page.metadata ?? {}) as NonNullable<typeof page.metadata> & { continue?: string };
    token = meta._continue || meta.continue || undefined;
    if (!token) {
      const { _continue: _, continue: __, remainingItemCount: ___, ...metadata } = meta;
      return { ...page, metadata, items };
    }
  }
}
