import { describe, it, expect } from 'vitest';
import { FiqlError, hasOperator, parseFiql } from '#lib/http/fiql.ts';

describe('lib/http/fiql', () => {
  describe('parseFiql', () => {
    it.each([
      ['name==web', { kind: 'cmp', field: 'name', op: '==', value: 'web' }],
      ['name!=web', { kind: 'cmp', field: 'name', op: '!=', value: 'web' }],
      ['size=lt=5', { kind: 'cmp', field: 'size', op: '=lt=', value: '5' }],
      ['size=le=5', { kind: 'cmp', field: 'size', op: '=le=', value: '5' }],
      ['size=gt=5', { kind: 'cmp', field: 'size', op: '=gt=', value: '5' }],
      ['size=ge=5', { kind: 'cmp', field: 'size', op: '=ge=', value: '5' }],
      ['org.id==urn:vcloud:org:1', { kind: 'cmp', field: 'org.id', op: '==', value: 'urn:vcloud:org:1' }],
      ['name==web*', { kind: 'cmp', field: 'name', op: '==', value: 'web*' }],
      ['name==a=b', { kind: 'cmp', field: 'name', op: '==', value: 'a=b' }],
      ['name==has space', { kind: 'cmp', field: 'name', op: '==', value: 'has space' }],
    ])('parses %s', (input, tree) => {
      expect(parseFiql(input)).toEqual(tree);
    });

    it('gives ; precedence over , and groups with parentheses', () => {
      const a = { kind: 'cmp', field: 'a', op: '==', value: '1' };
      const b = { kind: 'cmp', field: 'b', op: '==', value: '2' };
      const c = { kind: 'cmp', field: 'c', op: '==', value: '3' };
      expect(parseFiql('a==1;b==2,c==3')).toEqual({ kind: 'or', items: [{ kind: 'and', items: [a, b] }, c] });
      expect(parseFiql('a==1;(b==2,c==3)')).toEqual({ kind: 'and', items: [a, { kind: 'or', items: [b, c] }] });
      expect(parseFiql('((a==1))')).toEqual(a);
      expect(parseFiql('a==1;b==2;c==3')).toEqual({ kind: 'and', items: [a, b, c] });
    });

    it('unescapes \\ before ( ) , ; \\ in values', () => {
      expect(parseFiql('name==a\\,b\\;c\\(d\\)e\\\\f')).toEqual({ kind: 'cmp', field: 'name', op: '==', value: 'a,b;c(d)e\\f' });
    });

    it.each([
      ['', /field name at position 1/],
      ['==x', /field name at position 1/],
      ['name', /operator after 'name'/],
      ['name=x', /operator after 'name'/],
      ['name=like=x', /operator after 'name'/],
      ['name==', /missing value for 'name'/],
      ['name==;b==1', /missing value for 'name'/],
      ['(name==a', /expected '\)' at position 9/],
      ['name==a)', /unexpected '\)' at position 8/],
      ['name==a(b', /unexpected '\(' at position 8/],
      ['name==a\\', /dangling escape/],
      ['a==1;', /field name at position 6/],
      ['a==1,,b==2', /field name at position 6/],
      ['9a==1', /field name at position 1/],
    ])('rejects %j with a FiqlError saying where', (input, message) => {
      expect(() => parseFiql(input)).toThrow(FiqlError);
      expect(() => parseFiql(input)).toThrow(message);
    });
  });

  describe('hasOperator', () => {
    it.each([['name==x', true], ['a!=b', true], ['n=lt=1', true], ['n=ge=1', true], ['web server', false], ['a=b', false], ['', false], ['=gtx', false]])(
      '%j → %s', (s, expected) => expect(hasOperator(s)).toBe(expected),
    );
  });
});
