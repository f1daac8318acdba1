import { describe, it, expect } from 'vitest';
import { readLimited, MAX_BODY_BYTES } from '#lib/http/input.ts';
import { ApiError } from '#lib/http/errors.ts';
import { makeTestApp } from '#test/support/app.ts';

/** A stream of `chunks` chunks of 64 KiB that records how many were pulled. */
function source(chunks: number) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (seen.pulled === chunks) { ctl.close(); return; }
      seen.pulled++;
      ctl.enqueue(new Uint8Array(64 * 1024));
    },
    cancel() { seen.cancelled = true; },
  }, { highWaterMark: 0 });
  return { stream, seen };
}

describe('readLimited', () => {
  it('refuses a 128 MiB stream with 413 after about 1 MiB and stops reading it', async () => {
    const { stream, seen } = source(2048);
    const err = await readLimited(stream, MAX_BODY_BYTES).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(413);
    expect((err as ApiError).minorErrorCode).toBe('PAYLOAD_TOO_LARGE');
    expect(seen.pulled).toBeLessThanOrEqual(MAX_BODY_BYTES / (64 * 1024) + 2);
    expect(seen.cancelled).toBe(true);
  });

  it('returns a body of exactly the limit whole', async () => {
    const { stream } = source(16);
    const buf = await readLimited(stream, MAX_BODY_BYTES);
    expect(buf.byteLength).toBe(MAX_BODY_BYTES);
  });

  it('returns an empty body for no stream', async () => {
    expect((await readLimited(null, 10)).byteLength).toBe(0);
  });

  it('bounds a chunked request body at the route: 413 after about 1 MiB of 128 MiB', async () => {
    const t = await makeTestApp();
    const admin = await t.adminToken();
    const { stream, seen } = source(2048);
    const res = await t.app.request('/cloudapi/1.0.0/orgs', {
      method: 'POST', body: stream, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', accept: 'application/json;version=39.0' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(seen.pulled).toBeLessThanOrEqual(MAX_BODY_BYTES / (64 * 1024) + 2);
  });

  it('refuses a declared oversized body with 413 before authentication, reading none of it', async () => {
    const t = await makeTestApp();
    const { stream, seen } = source(32);
    const res = await t.app.request('/cloudapi/1.0.0/orgs', {
      method: 'POST', body: stream, headers: { 'content-type': 'application/json', 'content-length': String(2 * MAX_BODY_BYTES), accept: 'application/json;version=39.0' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413); // not 401: the size is known before anything else
    expect(seen.pulled).toBe(0);
  });

  it('does not read a body sent to a route that takes none (a login), and closes that connection after the answer', async () => {
    const t = await makeTestApp();
    const { stream, seen } = source(2048);
    const basic = `Basic ${Buffer.from('admin@System:admin-password-1').toString('base64')}`;
    const res = await t.app.request('/cloudapi/1.0.0/sessions', {
      method: 'POST', body: stream, headers: { authorization: basic, 'transfer-encoding': 'chunked', accept: 'application/json;version=39.0' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(seen.pulled).toBe(0);
    // Without a body the connection stays reusable.
    expect((await t.request('POST', '/cloudapi/1.0.0/sessions', { headers: { authorization: basic } })).headers.get('connection')).toBeNull();
  });
});
