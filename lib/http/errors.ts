/**
 * The one API error class and the VCD error envelope every non-2xx answer carries.
 */
export type MinorErrorCode =
  | 'BAD_REQUEST' | 'DUPLICATE_NAME' | 'BUSY_ENTITY' | 'UNAUTHORIZED' | 'ACCESS_TO_RESOURCE_IS_FORBIDDEN'
  | 'RESOURCE_NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'NOT_ACCEPTABLE' | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE' | 'CLUSTER_UNAVAILABLE' | 'DATABASE_UNAVAILABLE' | 'SERVER_BUSY' | 'INTERNAL_SERVER_ERROR'
  | 'REQUEST_TIMEOUT' | 'REQUEST_HEADER_FIELDS_TOO_LARGE' | 'TOO_MANY_REQUESTS' | 'PRECONDITION_FAILED';

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** An expected failure; the error handler turns it into the envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly minorErrorCode: MinorErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The envelope body for a status, code and message. */
export function envelope(status: number, minorErrorCode: MinorErrorCode, message: string) {
  return { minorErrorCode, message, stackTrace: null, code: status, error: REASONS[status] ?? 'Error' };
}

export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const duplicateName = (message: string) => new ApiError(400, 'DUPLICATE_NAME', message);
export const busyEntity = (message: string) => new ApiError(400, 'BUSY_ENTITY', message);
export const unauthorized = (message = 'Authentication required') => new ApiError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new ApiError(403, 'ACCESS_TO_RESOURCE_IS_FORBIDDEN', message);
/** 429 with Retry-After (whole seconds, at least 1). */
export const tooManyRequests = (message: string, retryAfterMs: number) =>
  new ApiError(429, 'TOO_MANY_REQUESTS', message, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
export const clusterUnavailable = (message: string) => new ApiError(503, 'CLUSTER_UNAVAILABLE', message);

const LABELS: Record<string, string> = {
  org: 'Organization', vdc: 'VDC', user: 'User', role: 'Role', session: 'Session', catalog: 'Catalog',
  catalogitem: 'Catalog item', vapp: 'vApp', vm: 'VM', task: 'Task',
};

/** VCD's "does not exist or you do not have access" 403, used for both cases on purpose. */
export function notVisible(type: string, urn: string): ApiError {
  return forbidden(`${LABELS[type] ?? type} ${urn} does not exist or you do not have access`);
}
