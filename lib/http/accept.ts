/**
 * Accept header tolerance: any JSON-ish or wildcard type, `;version=X` checked against the
 * versions we speak, several entries, any case.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';
import { ApiError } from './errors.ts';

export const API_VERSIONS = ['35.0', '36.0', '37.0', '38.0', '38.1', '39.0'] as const;

/** The `version=` values named in an Accept header. */
export function acceptedVersions(accept: string | undefined): string[] {
  if (!accept) return [];
  const out: string[] = [];
  for (const entry of accept.split(',')) {
    for (const p of entry.split(';').slice(1)) {
      const [k, val] = p.split('=').map((s) => s.trim());
      if (k?.toLowerCase() === 'version' && val) out.push(val.replace(/^"|"$/g, ''));
    }
  }
  return out;
}

/** Whether the caller prefers JSON over XML (for endpoints that can answer both). */
export function wantsJson(accept: string | undefined): boolean {
  return !!accept && /json/i.test(accept);
}

/** 406 when every version asked for is one we do not support. */
export function negotiate(): MiddlewareHandler<AppEnv> {
  return async function negotiateVersion(c, next) {
    const versions = acceptedVersions(c.req.header('accept'));
    if (versions.length && !versions.some((v) => (API_VERSIONS as readonly string[]).includes(v))) {
      throw new ApiError(406, 'NOT_ACCEPTABLE', `API version ${versions.join(', ')} is not supported; supported versions: ${API_VERSIONS.join(', ')}`);
    }
    await next();
  };
}
