/**
 * Classification of Kubernetes failures, so callers branch on meaning rather than on HTTP codes:
 * REST errors carry `ApiException.code`, watch errors `statusCode`, network errors neither.
 */

export type K8sErrorKind = 'notFound' | 'conflict' | 'alreadyExists' | 'gone' | 'forbidden' | 'invalid' | 'unavailable' | 'timeout';

export class K8sError extends Error {
  constructor(
    readonly kind: K8sErrorKind,
    readonly status: number | undefined,
    message: string,
    /** The Status `reason` from the API server, when there was one. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'K8sError';
  }
}

interface StatusBody { reason?: string; message?: string }

function statusBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try { return JSON.parse(body) as StatusBody; } catch { return {}; }
  }
  return (body ?? {}) as StatusBody;
}

/** Turns anything thrown by client-node (or a timeout) into a K8sError. */
export function classify(e: unknown): K8sError {
  if (e instanceof K8sError) return e;
  const err = e as { code?: unknown; statusCode?: unknown; body?: unknown; name?: string; message?: string; type?: string };
  // `?.`: a rejection may carry anything, even undefined, and classifying must not throw.
  const status = typeof err?.code === 'number' ? err.code : typeof err?.statusCode === 'number' ? err.statusCode : undefined;
  if (err?.name === 'AbortError' || err?.type === 'aborted' || err?.name === 'TimeoutError') {
    return new K8sError('timeout', undefined, 'the Kubernetes API did not answer in time');
  }
  if (status === undefined) {
    return new K8sError('unavailable', undefined, `the Kubernetes API is unreachable (${err?.message ?? String(e)})`);
  }
  const b = statusBody(err.body);
  const message = b.message ?? err.message ?? `HTTP ${status}`;
  switch (status) {
    case 404: return new K8sError('notFound', status, message, b.reason);
    case 409: return new K8sError(b.reason === 'AlreadyExists' ? 'alreadyExists' : 'conflict', status, message, b.reason);
    case 410: return new K8sError('gone', status, message, b.reason);
    case 401:
    case 403: return new K8sError('forbidden', status, message, b.reason);
    case 400:
    case 422: return new K8sError('invalid', status, message, b.reason);
    default: return new K8sError('unavailable', status, message, b.reason);
  }
}

/** Whether a failure means the cluster is away (rather than that it refused this request). */
export function isUnavailable(e: unknown): boolean {
  const k = classify(e).kind;
  return k === 'unavailable' || k === 'timeout';
}
