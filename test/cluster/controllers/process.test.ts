/** Unit tests of the pure template processing: generators, defaults, substitution, labels. */
import { describe, expect, it } from 'vitest';
import {
  classAlphabet,
  generateFromExpression,
  processTemplate,
  resolveParameters,
  substitute,
  TemplateProcessError,
} from './process.ts';

describe('generateFromExpression', () => {
  it('expands a class with a count and keeps literal text', () => {
    const v = generateFromExpression('fedora-[a-z0-9]{16}');
    expect(v).toMatch(/^fedora-[a-z0-9]{16}$/);
  });

  it('expands several classes in one expression', () => {
    expect(generateFromExpression('[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}')).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
    expect(generateFromExpression('[A-Z]{3}[0-9]{2}x')).toMatch(/^[A-Z]{3}[0-9]{2}x$/);
  });

  it('knows the \\w \\d \\a \\A shorthands', () => {
    expect(generateFromExpression('[\\d]{20}')).toMatch(/^\d{20}$/);
    expect(generateFromExpression('[\\a]{20}')).toMatch(/^[a-zA-Z]{20}$/);
    expect(generateFromExpression('[\\w]{40}')).toMatch(/^\w{40}$/);
    expect(classAlphabet('\\A')).toContain('~');
    expect(classAlphabet('a-cx')).toBe('abcx');
    expect(classAlphabet('\\da-b')).toBe('0123456789ab');
  });

  it('uses every character of the class (deterministic picker)', () => {
    let i = 0;
    expect(generateFromExpression('[a-c]{6}', (n) => i++ % n)).toBe('abcabc');
  });

  it('rejects counts outside 1..255 and inverted ranges', () => {
    expect(() => generateFromExpression('[a-z]{300}')).toThrow(TemplateProcessError);
    expect(() => generateFromExpression('[z-a]{3}')).toThrow(/invalid range/);
  });

  it('returns plain text unchanged', () => {
    expect(generateFromExpression('plain')).toBe('plain');
  });
});

describe('resolveParameters', () => {
  const template = {
    metadata: { name: 't1' },
    parameters: [
      { name: 'NAME', generate: 'expression', from: 'vm-[a-z]{5}' },
      { name: 'SIZE', value: 'small' },
      { name: 'PASSWORD', required: true },
    ],
  };

  it('applies defaults, generators and supplied values (a supplied value disables the generator)', () => {
    const v = resolveParameters(template, { PASSWORD: 'secret' });
    expect(v.get('NAME')).toMatch(/^vm-[a-z]{5}$/);
    expect(v.get('SIZE')).toBe('small');
    expect(v.get('PASSWORD')).toBe('secret');
    const w = resolveParameters(template, { NAME: 'given', SIZE: 'large', PASSWORD: 'x' });
    expect(w.get('NAME')).toBe('given');
    expect(w.get('SIZE')).toBe('large');
  });

  it('fails on a required parameter without a value, as OpenShift words it', () => {
    expect(() => resolveParameters(template, {})).toThrow(
      'Template.template.openshift.io "t1" is invalid: template.parameters[2]: Required value: parameter PASSWORD is required and must be specified',
    );
    expect(() => resolveParameters(template, { PASSWORD: '' })).toThrow(/PASSWORD is required/);
  });

  it('a required parameter with a generator is satisfied by it', () => {
    const v = resolveParameters({ parameters: [{ name: 'P', required: true, generate: 'expression', from: '[0-9]{3}' }] }, {});
    expect(v.get('P')).toMatch(/^\d{3}$/);
  });
});

describe('substitute', () => {
  const values = new Map([
    ['NAME', 'vm1'],
    ['CPUS', '4'],
    ['RUNNING', 'true'],
    ['OBJ', '{"a":1}'],
    ['TEXT', 'not json'],
  ]);

  it('interpolates ${P} in strings, keys included, and leaves unknown references', () => {
    expect(substitute({ name: '${NAME}-disk', url: 'http://${NAME}:${CPUS}', other: '${NOPE}' }, values)).toEqual({
      name: 'vm1-disk',
      url: 'http://vm1:4',
      other: '${NOPE}',
    });
    expect(substitute({ labels: { 'app-${NAME}': 'x' } }, values)).toEqual({ labels: { 'app-vm1': 'x' } });
  });

  it('replaces a whole-field ${{P}} with the typed JSON value', () => {
    expect(substitute({ cores: '${{CPUS}}', running: '${{RUNNING}}', o: '${{OBJ}}', t: '${{TEXT}}' }, values)).toEqual({
      cores: 4,
      running: true,
      o: { a: 1 },
      t: 'not json',
    });
    // Embedded in a longer string it interpolates as text.
    expect(substitute('n=${{CPUS}}', values)).toBe('n=4');
  });

  it('walks arrays and keeps non-strings', () => {
    expect(substitute([1, '${NAME}', null, { a: ['${CPUS}'] }], values)).toEqual([1, 'vm1', null, { a: ['4'] }]);
  });
});

describe('processTemplate', () => {
  it('substitutes, adds template labels (winning over the object) and drops a hard-coded namespace', () => {
    const { objects } = processTemplate(
      {
        metadata: { name: 't' },
        labels: { app: 'tmpl', 'from-${NAME}': 'yes' },
        parameters: [{ name: 'NAME', value: 'vm9' }, { name: 'NS', value: 'elsewhere' }],
        objects: [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '${NAME}', namespace: 'fixed', labels: { app: 'own' } }, data: { k: '${NAME}' } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: '${NS}' } },
        ],
      },
      {},
    );
    expect(objects[0]).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'vm9', labels: { app: 'tmpl', 'from-vm9': 'yes' } },
      data: { k: 'vm9' },
    });
    expect(objects[1]!.metadata.namespace).toBe('elsewhere');
  });
});
