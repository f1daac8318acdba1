/**
 * CORS for the web UI on another origin (`SSVIRT_CORS_ORIGINS`); no headers when the list is empty.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';

const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, Accept, X-VMWARE-VCLOUD-TENANT-CONTEXT, X-VMWARE-VCLOUD-ACCESS-TOKEN, x-vcloud-authorization';
const EXPOSE_HEADERS = 'Authorization, X-VMWARE-VCLOUD-ACCESS-TOKEN, X-VMWARE-VCLOUD-TOKEN-TYPE, Location, Link, X-VMWARE-VCLOUD-REQUEST-ID';

/** The CORS middleware for the configured origins. */
export function cors(origins: string[]): MiddlewareHandler<AppEnv> {
  const any = origins.includes('*');
  return async function corsHeaders(c, next) {
    const origin = c.req.header('origin');
    const allowed = origins.length > 0 && !!origin && (any || origins.includes(origin));
    if (allowed && c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return c.body(null, 204, {
        'Access-Control-Allow-Origin': any ? '*' : origin,
        'Access-Control-Allow-Methods': ALLOW_METHODS,
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': '600',
        Vary: 'Origin',
      });
    }
    // Before next(): headers set on a finished response force Hono to copy it (see lib/app.ts).
    if (allowed) {
      c.header('Access-Control-Allow-Origin', any ? '*' : origin);
      c.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
      c.header('Vary', 'Origin');
    }
    await next();
  };
}
