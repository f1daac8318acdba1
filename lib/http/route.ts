/**
 * `defineRoute`: how a function file declares its endpoint. The wrapper decodes URN path
 * parameters, validates query and body with the declared valibot schemas, requires a session
 * unless the route is public, and hands the handler typed input. The declaration is kept on the
 * handler (`meta`) so the route table and the API description can be built from it.
 */
import * as v from 'valibot';
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import { check, pathUrn, readJson, queryObject, screenBody } from './input.ts';
import { unauthorized } from './errors.ts';
import type { UrnType } from '#lib/urn.ts';
import type { Session } from '#lib/auth/session.ts';

export interface RouteMeta<P extends Record<string, UrnType | 'string'>, Q extends v.GenericSchema | undefined, B extends v.GenericSchema | undefined> {
  summary: string;
  /** Path parameters: a URN type to decode and check, or 'string' for free segments. */
  params?: P;
  query?: Q;
  body?: B;
  /** false = no session needed. Default true. */
  auth?: boolean;
}

type Out<S> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: { [K in keyof P]: string };
  query: Out<Q>;
  body: Out<B>;
}

export type Ctx = Context<AppEnv>;
export type AuthedCtx = Context<AppEnv> & { var: { session: Session } };

export type RouteHandler = ((c: Ctx) => Promise<Response>) & { meta: RouteMeta<any, any, any> };

/** Declares one endpoint; see the file header. */
export function defineRoute<
  const P extends Record<string, UrnType | 'string'> = {},
  Q extends v.GenericSchema | undefined = undefined,
  B extends v.GenericSchema | undefined = undefined,
>(
  meta: RouteMeta<P, Q, B>,
  fn: (c: Ctx & { var: { session: Session } }, input: RouteInput<P, Q, B>) => Promise<Response> | Response,
): RouteHandler {
  async function handle(c: Ctx): Promise<Response> {
    screenBody(c, meta.body !== undefined);
    if (meta.auth !== false && !c.var.session) throw c.var.authError ?? unauthorized();
    const params = {} as Record<string, string>;
    for (const [name, type] of Object.entries(meta.params ?? {})) {
      params[name] = type === 'string' ? decodeParam(c.req.param(name) ?? '') : pathUrn(c, name, type as UrnType);
    }
    const query = meta.query ? check(meta.query, queryObject(c), 'query') : undefined;
    const body = meta.body ? check(meta.body, await readJson(c)) : undefined;
    return fn(c as Ctx & { var: { session: Session } }, { params, query, body } as RouteInput<P, Q, B>);
  }
  Object.defineProperty(handle, 'name', { value: fn.name || 'handler' });
  return Object.assign(handle, { meta });
}

function decodeParam(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}
