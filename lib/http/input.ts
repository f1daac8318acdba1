/**
 * Request input at the edge: JSON bodies (empty = `{}`), query strings and URN path parameters,
 * validated with valibot. Messages name the field path and the rule and never echo the input.
 */
import * as v from 'valibot';
import type { Context } from 'hono';
import { ApiError, badRequest } from './errors.ts';
import { parseUrn, type UrnType } from '#lib/urn.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

/** Turns valibot issues into one message: `path: rule; path: rule`. */
export function issuesMessage(issues: readonly v.BaseIssue<unknown>[]): string {
  const parts = issues.slice(0, 5).map((i) => {
    const path = v.getDotPath(i) ?? 'body';
    return `${path}: ${describeIssue(i)}`;
  });
  return parts.join('; ');
}

function describeIssue(i: v.BaseIssue<unknown>): string {
  // Our schemas give their own messages; valibot's defaults end with "but received <input>",
  // which would echo secrets, so only the expectation is kept.
  const m = i.message;
  const cut = m.indexOf(' but received ');
  if (cut < 0) return m;
  return m.slice(0, cut).replace(/^Invalid (\w+): Expected/, 'invalid $1, expected');
}

/** Validates a value against a schema or throws a 400 naming the fields. */
export function check<S extends v.GenericSchema>(schema: S, input: unknown, where?: string): v.InferOutput<S> {
  const r = v.safeParse(schema, input);
  if (!r.success) {
    const msg = issuesMessage(r.issues);
    throw badRequest(where ? `${where}: ${msg}` : msg);
  }
  return r.output;
}

/**
 * What a route does with a request body before anything else (authentication included): a
 * declared length over the limit is refused without reading a byte; a route that takes no body
 * does not read one, and its answer closes the connection, so the unread rest of a large or
 * endless (chunked) body is dropped with the socket instead of being read to keep it alive.
 */
export function screenBody(c: Context, takesBody: boolean): void {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!takesBody && (declared > 0 || c.req.header('transfer-encoding') !== undefined)) c.header('Connection', 'close');
}

/** Reads the JSON body: empty → `{}`, broken JSON → 400, non-JSON type → 415, > 1 MiB → 413. */
export async function readJson(c: Context): Promise<unknown> {
  const len = Number(c.req.header('content-length') ?? '0');
  if (len > MAX_BODY_BYTES) throw tooLarge();
  const text = new TextDecoder().decode(await readLimited(c.req.raw.body, MAX_BODY_BYTES));
  if (text.trim() === '') return {};
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type && !/^application\/([\w.*+-]*\+)?json\b/.test(type)) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type.split(';')[0]} is not supported; send application/json`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('body: malformed JSON');
  }
}

/**
 * Reads a body stream, refusing it as soon as more than `limit` bytes arrived: a chunked body has no
 * Content-Length, so counting while reading is what bounds memory. The rest is not read (cancelled).
 */
export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const ch of chunks) { out.set(ch, at); at += ch.byteLength; }
  return out;
}

export function tooLarge() {
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`);
}

/** Decodes a URN path parameter of the given type or answers 400. */
export function pathUrn(c: Context, param: string, type: UrnType): string {
  const raw = c.req.param(param) ?? '';
  const id = parseUrn(type, raw);
  if (!id) throw badRequest(`${param}: must be a URN urn:vcloud:${type}:<uuid>`);
  return id;
}

/** All query parameters, first value each. */
export function queryObject(c: Context): Record<string, string> {
  return c.req.query();
}
