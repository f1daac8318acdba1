/**
 * Classification of Kubernetes failures: REST errors (ApiException.code), watch errors
 * (statusCode), network errors and timeouts, each to one K8sError kind.
 */
import { describe, expect, it } from 'vitest';
import { ApiException } from '@kubernetes/client-node';
import { classify, isUnavailable, K8sError } from '#lib/k8s/errors.ts';

/** A Status body as the API server sends it (client-node keeps it as a string or an object). */
const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
const apiError = (code: number, reason: string, message: string, asString = false) => {
  const body = status(code, reason, message);
  return new ApiException(code, 'Unknown API Status Code!', asString ? JSON.stringify(body) : body, {});
};

describe('classify', () => {
  it.each([
    [404, 'NotFound', 'notFound'],
    [409, 'Conflict', 'conflict'],
    [409, 'AlreadyExists', 'alreadyExists'],
    [410, 'Expired', 'gone'],
    [401, 'Unauthorized', 'forbidden'],
    [403, 'Forbidden', 'forbidden'],
    [400, 'BadRequest', 'invalid'],
    [422, 'Invalid', 'invalid'],
    [429, 'TooManyRequests', 'unavailable'],
    [500, 'InternalError', 'unavailable'],
    [503, 'ServiceUnavailable', 'unavailable'],
    [504, 'Timeout', 'unavailable'],
  ])('classifies ApiException %i %s as %s, keeping the status, reason and message', (code, reason, kind) => {
    const msg = `namespaces "vdc-x" ${reason}`;
    for (const asString of [false, true]) {
      const e = classify(apiError(code, reason, msg, asString));
      expect(e).toBeInstanceOf(K8sError);
      expect(e).toMatchObject({ kind, status: code, reason, message: msg, name: 'K8sError' });
    }
  });

  it('falls back to the exception message when the body is not a Status', () => {
    const e = classify(new ApiException(502, 'Bad Gateway', '<html>bad gateway</html>', {}));
    expect(e.kind).toBe('unavailable');
    expect(e.status).toBe(502);
    expect(e.reason).toBeUndefined();
    expect(e.message).toContain('HTTP-Code: 502');
  });

  it('classifies watch errors by statusCode (410 Gone, 403, 500)', () => {
    const watchError = (statusCode: number) => Object.assign(new Error('Gone'), { statusCode });
    expect(classify(watchError(410))).toMatchObject({ kind: 'gone', status: 410 });
    expect(classify(watchError(403)).kind).toBe('forbidden');
    expect(classify(watchError(500)).kind).toBe('unavailable');
  });

  it('classifies connection errors (string codes, no HTTP status) as unavailable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED', type: 'system' });
    const e = classify(refused);
    expect(e).toMatchObject({ kind: 'unavailable', status: undefined });
    expect(e.message).toContain('ECONNREFUSED');
    expect(classify(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).kind).toBe('unavailable');
    expect(classify('a thrown string').message).toContain('a thrown string');
    expect(classify(undefined).kind).toBe('unavailable');
  });

  it('classifies aborts and timeouts (node-fetch, AbortSignal.timeout) as timeout', () => {
    const aborted = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', type: 'aborted' });
    expect(classify(aborted)).toMatchObject({ kind: 'timeout', status: undefined });
    expect(classify(new DOMException('The operation was aborted due to timeout', 'TimeoutError')).kind).toBe('timeout');
    expect(classify(Object.assign(new Error('x'), { type: 'aborted' })).kind).toBe('timeout');
  });

  it('passes a K8sError through unchanged', () => {
    const e = new K8sError('conflict', 409, 'namespace vdc-x is being deleted');
    expect(classify(e)).toBe(e);
  });
});

describe('isUnavailable', () => {
  it('is true for an absent cluster or a timeout, false for refusals of the request', () => {
    expect(isUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(apiError(503, 'ServiceUnavailable', 'x'))).toBe(true);
    expect(isUnavailable(apiError(429, 'TooManyRequests', 'x'))).toBe(true);
    expect(isUnavailable(new DOMException('t', 'TimeoutError'))).toBe(true);
    for (const [code, reason] of [[404, 'NotFound'], [409, 'Conflict'], [410, 'Gone'], [403, 'Forbidden'], [422, 'Invalid']] as const) {
      expect(isUnavailable(apiError(code, reason, 'x')), String(code)).toBe(false);
    }
  });
});
