/**
 * How a Kubernetes failure reaches a client: never a 500. The cluster being away (or refusing
 * SSVirt itself: RBAC, overload) is 503 CLUSTER_UNAVAILABLE; a refusal caused by the request is
 * the matching 400.
 */
import { ApiError, badRequest, busyEntity, clusterUnavailable } from './errors.ts';
import { classify, K8sError } from '#lib/k8s/errors.ts';

/** The API error for a failed cluster step; `what` says what was being done. */
export function clusterError(e: unknown, what: string): unknown {
  // Anything that is not a cluster failure (a bug) keeps its identity and ends as a logged 500.
  if (!(e instanceof K8sError)) return e;
  const k = classify(e);
  switch (k.kind) {
    case 'invalid':
    case 'notFound':
      return badRequest(`${what}: the cluster rejected it: ${k.message}`);
    case 'conflict':
    case 'alreadyExists':
      return busyEntity(`${what}: the cluster reports a conflict (${k.message}); try again`);
    case 'forbidden':
      return clusterUnavailable(`${what}: the cluster denied SSVirt's service account (${k.message}); check its RBAC`);
    case 'timeout':
      return clusterUnavailable(`${what}: the Kubernetes API did not answer in time`);
    default:
      return clusterUnavailable(`${what}: the Kubernetes API is unavailable (${k.message})`);
  }
}

/** The 503 for a cluster that is not configured at all. */
export function noCluster(what: string): ApiError {
  return clusterUnavailable(`${what}: no Kubernetes cluster is configured`);
}
