/**
 * The optimistic-concurrency contract every updatable entity keeps (lib/http/etag.ts), as `it`
 * blocks a route test registers with its own entity: GET and the update answer an ETag, a stale
 * If-Match is 412 PRECONDITION_FAILED with nothing written, `*` and the current tag pass, a
 * malformed one is 400.
 */
import { it, expect } from 'vitest';
import type { TestApp } from './app.ts';

export interface EtagSubject {
  t(): TestApp;
  token(): string;
  /** Where the entity is read and updated (the same resource). */
  path(): string;
  method: 'PUT' | 'PATCH';
  /** An update body that changes the entity, different for each `n`. */
  body(n: number): unknown;
}

const STRONG_TAG = /^"[^"]*"$/;

/** Registers the contract's tests for one entity and method. */
export function itKeepsTheEtagContract(s: EtagSubject): void {
  const get = async () => {
    const res = await s.t().request('GET', s.path(), { token: s.token() });
    expect(res.status).toBe(200);
    return { tag: res.headers.get('etag'), body: await res.json() };
  };
  const update = (n: number, ifMatch?: string) =>
    s.t().request(s.method, s.path(), { token: s.token(), body: s.body(n), headers: ifMatch === undefined ? {} : { 'if-match': ifMatch } });

  it(`answers a strong ETag on GET and ${s.method}, moved by the write and the same as the next GET's`, async () => {
    const before = await get();
    expect(before.tag).toMatch(STRONG_TAG);
    const res = await update(1, before.tag!);
    expect(res.status).toBe(200);
    const tag = res.headers.get('etag');
    expect(tag).toMatch(STRONG_TAG);
    expect(tag).not.toBe(before.tag);
    expect((await get()).tag).toBe(tag);
  });

  it(`answers 412 PRECONDITION_FAILED and writes nothing for a ${s.method} with a stale If-Match`, async () => {
    const stale = (await get()).tag!;
    expect((await update(1)).status).toBe(200);
    const current = await get();
    const res = await update(2, stale);
    expect(res.status).toBe(412);
    const body = await res.json() as { message: string };
    expect(body).toMatchObject({ minorErrorCode: 'PRECONDITION_FAILED', code: 412, error: 'Precondition Failed', stackTrace: null });
    expect(body.message).toContain(current.tag);
    expect(await get()).toEqual(current);
  });

  it(`accepts If-Match: * and a list holding the current tag; a weak tag never matches`, async () => {
    expect((await update(1, '*')).status).toBe(200);
    const { tag } = await get();
    expect((await update(2, `W/${tag}`)).status).toBe(412);
    expect((await update(3, `"0", ${tag}`)).status).toBe(200);
  });

  it('answers 400 for a malformed If-Match', async () => {
    const res = await update(1, 'not-a-tag');
    expect(res.status).toBe(400);
    expect((await res.json() as { message: string }).message).toContain('If-Match');
  });
}
