/**
 * The requester checks of OpenShift's TemplateInstance controller: one SubjectAccessReview per
 * permission the instance needs, made for the requester (user, uid, groups, extra from
 * `spec.requester`). A denial becomes a Forbidden error for the reviewed group/resource and name,
 * worded as Kubernetes' NewForbidden prints it: `<resource>.<group> "<name>" is forbidden: <reason>`
 * (core-group resources without the `.`), the review's reason used verbatim, so an empty reason
 * leaves the text ending in `forbidden: `.
 */
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';

export interface Requester {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  namespace: string;
  verb: string;
  group: string;
  resource: string;
  name: string;
}

/** The API error text of a Forbidden StatusError for group/resource and name. */
export function forbiddenMessage(group: string, resource: string, name: string, reason: string): string {
  const gr = group ? `${resource}.${group}` : resource;
  if (!gr) return `forbidden: ${reason}`;
  if (!name) return `${gr} is forbidden: ${reason}`;
  return `${gr} "${name}" is forbidden: ${reason}`;
}

/** A denied review: its message is the instance's InstantiateFailure text. */
export class ForbiddenError extends Error {}

/** Asks the API server whether the requester may do `attrs`; throws ForbiddenError when not. */
export type Authorizer = (requester: Requester, attrs: ResourceAttributes) => Promise<void>;

export function makeAuthorizer(kc: KubeConfig): Authorizer {
  const api = kc.makeApiClient(AuthorizationV1Api);
  return async (requester, attrs) => {
    const review = await api.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: requester.username,
          uid: requester.uid,
          groups: requester.groups,
          extra: requester.extra,
          resourceAttributes: { ...attrs },
        },
      },
    });
    if (review.status?.allowed) return;
    throw new ForbiddenError(forbiddenMessage(attrs.group, attrs.resource, attrs.name, review.status?.reason ?? ''));
  };
}
