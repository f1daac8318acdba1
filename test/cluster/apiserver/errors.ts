/**
 * Builders for the `Status` objects a kube-apiserver answers errors with. The wording follows the
 * recorded exchanges in ../shared/k8s-golden so clients that match on messages behave as in a cluster.
 */

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface StatusDetails {
  name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number;
}
export interface Status {
  kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, unknown>;
  status: 'Failure' | 'Success'; message?: string; reason?: string; details?: StatusDetails; code?: number;
}

/** Thrown by handlers; the router turns it into the HTTP answer. */
export class ApiError extends Error {
  constructor(public readonly status: Status, public readonly headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? 'error');
  }
  get code(): number { return this.status.code ?? 500; }
}

/** Identifies the resource the way error messages name it: `virtualmachines.kubevirt.io`, `secrets`. */
export interface ResourceRef { group: string; plural: string }

export function qualified(r: ResourceRef): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

function details(r: ResourceRef | undefined, name?: string, extra: Partial<StatusDetails> = {}): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (r?.group) d.group = r.group;
  if (r) d.kind = r.plural;
  return { ...d, ...extra };
}

export function failure(code: number, reason: string, message: string, det?: StatusDetails, metadata: Record<string, unknown> = {}): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata, status: 'Failure', message, reason };
  if (det && Object.keys(det).length) s.details = det;
  s.code = code;
  return s;
}

export const errors = {
  notFound: (r: ResourceRef, name: string) =>
    new ApiError(failure(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name))),
  alreadyExists: (r: ResourceRef, name: string) =>
    new ApiError(failure(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name))),
  conflict: (r: ResourceRef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new ApiError(failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, details(r, name))),
  badRequest: (message: string) => new ApiError(failure(400, 'BadRequest', message)),
  unauthorized: () => new ApiError(failure(401, 'Unauthorized', 'Unauthorized')),
  forbidden: (user: string, verb: string, r: ResourceRef, namespace: string | undefined, name?: string) => {
    const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope';
    const subject = name !== undefined ? `${qualified(r)} "${name}"` : qualified(r);
    const [plural, sub] = r.plural.split('/');
    const res = sub ? `${plural}/${sub}` : plural;
    return new ApiError(failure(403, 'Forbidden',
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${res}" in API group "${r.group}" ${scope}`,
      details(r, name)), { 'X-Content-Type-Options': 'nosniff' });
  },
  namespaceTerminating: (r: ResourceRef, name: string, namespace: string) =>
    new ApiError(failure(403, 'Forbidden',
      `${qualified(r)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      details(r, name, { causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] }))),
  /** 422 as the validation layer reports it; `kindName` is e.g. `VirtualMachine.kubevirt.io` or `Namespace`. */
  invalid: (kindName: string, name: string, group: string, kind: string, causes: StatusCause[]) => {
    const parts = causes.map((c) => `${c.field}: ${c.message}`);
    const body = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
    const det: StatusDetails = { name };
    if (group) det.group = group;
    det.kind = kind;
    det.causes = causes;
    return new ApiError(failure(422, 'Invalid', `${kindName} "${name}" is invalid: ${body}`, det));
  },
  unsupportedMediaType: () =>
    new ApiError(failure(415, 'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`)),
  methodNotAllowed: () => new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')),
  expired: (message: string, metadata: Record<string, unknown> = {}) => new ApiError(failure(410, 'Expired', message, undefined, metadata)),
  internal: (message: string) =>
    new ApiError(failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] })),
  unavailable: (message: string) => new ApiError(failure(503, 'ServiceUnavailable', message)),
  tooManyRequests: () =>
    new ApiError(failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }), { 'Retry-After': '1' }),
};

export function successStatus(r: ResourceRef, name: string, uid: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: details(r, name, { uid }) };
}
