import { describe, it, expect } from 'vitest';
import { isUuid, parseUrn, toUrn } from '#lib/urn.ts';

const ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

describe('lib/urn', () => {
  it('builds URNs', () => {
    expect(toUrn('vdc', ID)).toBe(`urn:vcloud:vdc:${ID}`);
  });

  it.each([
    [`urn:vcloud:org:${ID}`, ID],
    [`URN:VCLOUD:ORG:${ID.toUpperCase()}`, ID],
    [`urn%3Avcloud%3Aorg%3A${ID}`, ID],
    [`urn%3avcloud%3aorg%3a${ID}`, ID],
    [ID, ID],
    [ID.toUpperCase(), ID],
  ])('parses %s to the lower-case uuid', (value, id) => {
    expect(parseUrn('org', value)).toBe(id);
  });

  it.each([
    [`urn:vcloud:vdc:${ID}`, 'another type'],
    [`urn:vcloud:org:${ID}x`, 'trailing characters'],
    [`urn:vcloud:org:`, 'no uuid'],
    [`urn:vcloud:org:not-a-uuid`, 'not a uuid'],
    [`urn:vcloud:catalogitem:${ID}`, 'a longer type name'],
    [`xurn:vcloud:org:${ID}`, 'a prefix'],
    ['%E0%A4%A', 'broken percent-encoding'],
    ['', 'empty'],
  ])('rejects %s (%s)', (value) => {
    expect(parseUrn('org', value)).toBeUndefined();
  });

  it('tells catalog from catalogitem', () => {
    expect(parseUrn('catalog', `urn:vcloud:catalogitem:${ID}`)).toBeUndefined();
    expect(parseUrn('catalogitem', `urn:vcloud:catalogitem:${ID}`)).toBe(ID);
  });

  it('recognises bare uuids', () => {
    expect(isUuid(ID)).toBe(true);
    expect(isUuid(`urn:vcloud:org:${ID}`)).toBe(false);
    expect(isUuid('1234')).toBe(false);
  });
});
