import { describe, it, expect } from 'vitest';
import { ApiError } from '#lib/http/errors.ts';
import { entityTag, matches, parseIfMatch, requireMatch } from '#lib/http/etag.ts';

const status = (fn: () => unknown) => {
  try { fn(); } catch (e) { return e instanceof ApiError ? `${e.status} ${e.minorErrorCode}` : String(e); }
  return 'ok';
};

describe('entity tags and If-Match', () => {
  it('writes a version as a strong tag', () => {
    expect(entityTag(3)).toBe('"3"');
  });

  it('lets an absent If-Match and * through whatever the version', () => {
    expect(matches(parseIfMatch(undefined), 7)).toBe(true);
    expect(matches(parseIfMatch('*'), 7)).toBe(true);
    expect(matches(parseIfMatch(' * '), 7)).toBe(true);
  });

  it('matches the current version among a list, and nothing else', () => {
    expect(matches(parseIfMatch('"7"'), 7)).toBe(true);
    expect(matches(parseIfMatch('"6", "7"'), 7)).toBe(true);
    expect(matches(parseIfMatch(', "6" ,, "7",'), 7)).toBe(true);
    expect(matches(parseIfMatch('"6"'), 7)).toBe(false);
    expect(matches(parseIfMatch('"7,8"'), 7)).toBe(false);
  });

  it('compares strongly: a weak tag never matches (RFC 9110 §13.1.1)', () => {
    expect(matches(parseIfMatch('W/"7"'), 7)).toBe(false);
  });

  it.each(['', '7', '"7', '"7" "8"', '*, "7"', 'W/7', '"a"b"'])('answers 400 for the malformed value %j', (value) => {
    expect(status(() => parseIfMatch(value))).toBe('400 BAD_REQUEST');
  });

  it('answers 412 PRECONDITION_FAILED naming the entity and its current tag', () => {
    expect(status(() => requireMatch(parseIfMatch('"7"'), 7, 'User u'))).toBe('ok');
    let err: ApiError | undefined;
    try { requireMatch(parseIfMatch('"6"'), 7, 'User u'); } catch (e) { err = e as ApiError; }
    expect(err).toMatchObject({ status: 412, minorErrorCode: 'PRECONDITION_FAILED' });
    expect(err!.message).toContain('User u');
    expect(err!.message).toContain('"7"');
  });
});
