import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.ts';
import { parseFieldValidation, prune, pruneWrite, unknownFieldWarnings, warningHeader, type StructuralSchema } from './prune.ts';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        kept: { type: 'string' },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
      },
    },
  },
};

describe('prune (structural schema)', () => {
  it('drops undeclared fields at every level and reports their paths sorted', () => {
    const o: any = {
      apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', bogus: 1 }, extra: true,
      spec: {
        kept: 's', foo: 1, open: { anything: { deep: 1 } }, list: [{ a: 'x', b: 2 }],
        labels: { k: 'v' }, embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', junk: 1 }, spec: {}, other: 1 },
      },
    };
    expect(prune(o, schema)).toEqual(['extra', 'metadata.bogus', 'spec.embedded.metadata.junk', 'spec.embedded.other', 'spec.foo', 'spec.list[0].b']);
    expect(o).toEqual({
      apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' },
      spec: { kept: 's', open: { anything: { deep: 1 } }, list: [{ a: 'x' }], labels: { k: 'v' }, embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } },
    });
  });

  it('pruneWrite: Warn collects warnings, Strict throws the 400, Ignore is silent; input maps are not mutated', () => {
    const inner = { kept: 's', foo: 1 };
    const o: any = { metadata: { name: 'n' }, spec: inner };
    const caller = { warnings: [] as string[] };
    pruneWrite(o, schema, caller);
    expect(o.spec).toEqual({ kept: 's' });
    expect(inner).toEqual({ kept: 's', foo: 1 });
    expect(caller.warnings).toEqual(['unknown field "spec.foo"']);
    expect(warningHeader(caller.warnings[0]!)).toBe('299 - "unknown field \\"spec.foo\\""');
    let err: unknown;
    try { pruneWrite({ spec: { foo: 1, bar: 2 } }, schema, { fieldValidation: 'Strict' }); } catch (e) { err = e; }
    expect((err as ApiError).status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'strict decoding error: unknown field "spec.bar", unknown field "spec.foo"' });
    expect(unknownFieldWarnings(['spec.foo'], 'Ignore')).toEqual([]);
  });

  it('fieldValidation: empty means Warn, other values are a 422', () => {
    expect(parseFieldValidation(null, 'CreateOptions')).toBe('Warn');
    expect(() => parseFieldValidation('Loud', 'PatchOptions')).toThrow(/PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud"/);
  });
});
