import { describe, it, expect } from 'vitest';
import { baseNamespaceName, namespacePart, vdcNamespaceName } from '#lib/vdcs/namespace-name.ts';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const free = () => false;
const takenSet = (...names: string[]) => { const s = new Set(names); return (n: string) => s.has(n); };

describe('namespacePart', () => {
  it.each([
    ['Acme', 'acme'],
    ['Dev Team', 'dev-team'],
    ['dev_team', 'dev-team'],
    ['  Dev   Team  ', 'dev-team'],
    ['a--b__c  d', 'a-b-c-d'],
    ['--edge--', 'edge'],
    ['O\'Brien & Sons, Ltd.', 'obrien-sons-ltd'],
    ['tab\there', 'tab-here'],
    ['Café Zürich', 'caf-zrich'],
    ['日本', ''],
    ['日本-dev', 'dev'],
    ['🚀 launch', 'launch'],
    ['\u212Aelvin', 'kelvin'], // KELVIN SIGN lower-cases to ASCII k
    ['İstanbul', 'istanbul'], // İ lower-cases to i + combining dot; the dot is dropped
    ['', ''],
    ['!!!', ''],
  ])('%j → %j', (input, out) => {
    expect(namespacePart(input)).toBe(out);
  });
});

describe('baseNamespaceName', () => {
  it('joins vdc-<org>-<vdc>', () => {
    expect(baseNamespaceName('Acme', 'Dev Team')).toBe('vdc-acme-dev-team');
  });

  it('leaves out a part that is empty after sanitising', () => {
    expect(baseNamespaceName('日本', 'dev')).toBe('vdc-dev');
    expect(baseNamespaceName('acme', '日本')).toBe('vdc-acme');
    expect(baseNamespaceName('日本', '東京')).toBe('vdc');
    expect(baseNamespaceName('', '')).toBe('vdc');
  });

  it('keeps the whole within 63 characters, both parts shortened fairly', () => {
    const name = baseNamespaceName('o'.repeat(100), 'v'.repeat(100));
    expect(name.length).toBe(63);
    expect(name).toBe(`vdc-${'o'.repeat(29)}-${'v'.repeat(29)}`);
    expect(name).toMatch(DNS1123);
  });

  it('gives the room a short part does not need to the long one', () => {
    expect(baseNamespaceName('acme', 'v'.repeat(100))).toBe(`vdc-acme-${'v'.repeat(54)}`);
    expect(baseNamespaceName('o'.repeat(100), 'dev')).toBe(`vdc-${'o'.repeat(55)}-dev`);
    expect(baseNamespaceName('o'.repeat(100), 'dev').length).toBe(63);
  });

  it('fits exactly 63 without cutting when it can', () => {
    const org = 'a'.repeat(29);
    const vdc = 'b'.repeat(29);
    expect(baseNamespaceName(org, vdc)).toBe(`vdc-${org}-${vdc}`);
    expect(baseNamespaceName(org, vdc + 'c')).toBe(`vdc-${org}-${vdc}`);
  });

  it('never ends a shortened part with a dash', () => {
    // The cut lands on a '-' in both parts.
    const org = `${'a'.repeat(28)}-${'x'.repeat(40)}`;
    const vdc = `${'b'.repeat(28)}-${'y'.repeat(40)}`;
    const name = baseNamespaceName(org, vdc);
    expect(name).toMatch(DNS1123);
    expect(name).not.toContain('--');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.startsWith(`vdc-${'a'.repeat(28)}-b`)).toBe(true);
  });

  it('shortens a single long part to the whole room', () => {
    expect(baseNamespaceName('日本', 'v'.repeat(100))).toBe(`vdc-${'v'.repeat(59)}`);
  });

  it('stays a DNS-1123 label for awkward inputs', () => {
    for (const [o, v] of [['-', '-'], ['___', 'x'], ['A'.repeat(200), '_'.repeat(200)], ['Ω'.repeat(80), 'é'.repeat(80)], ['a b', 'c d'], ['9lives', '007']]) {
      const name = baseNamespaceName(o!, v!);
      expect(name, `${o}/${v}`).toMatch(DNS1123);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('counts long unicode input by what is left after sanitising', () => {
    const name = baseNamespaceName(`${'ü'.repeat(500)}acme`, `dev${'日'.repeat(500)}`);
    expect(name).toBe('vdc-acme-dev');
  });
});

describe('vdcNamespaceName', () => {
  it('returns the base when it is free', () => {
    expect(vdcNamespaceName('Acme', 'Dev', free)).toBe('vdc-acme-dev');
  });

  it('appends -2, -3, … on collisions', () => {
    expect(vdcNamespaceName('Acme', 'Dev', takenSet('vdc-acme-dev'))).toBe('vdc-acme-dev-2');
    expect(vdcNamespaceName('Acme', 'Dev', takenSet('vdc-acme-dev', 'vdc-acme-dev-2', 'vdc-acme-dev-3'))).toBe('vdc-acme-dev-4');
  });

  it('skips a suffixed name that another VDC already owns by its own name', () => {
    // "dev-2" is a real VDC; a second "Dev" must not take its namespace.
    expect(vdcNamespaceName('Acme', 'Dev', takenSet('vdc-acme-dev', 'vdc-acme-dev-2'))).toBe('vdc-acme-dev-3');
  });

  it('asks isTaken for each candidate in order', () => {
    const asked: string[] = [];
    vdcNamespaceName('a', 'b', (n) => { asked.push(n); return asked.length < 3; });
    expect(asked).toEqual(['vdc-a-b', 'vdc-a-b-2', 'vdc-a-b-3']);
  });

  it('shortens the base so a suffix still fits in 63 characters', () => {
    const base = baseNamespaceName('o'.repeat(100), 'v'.repeat(100));
    const name = vdcNamespaceName('o'.repeat(100), 'v'.repeat(100), takenSet(base));
    expect(name.length).toBe(63);
    expect(name.endsWith('v-2')).toBe(true);
    expect(name).toMatch(DNS1123);
    const taken = new Set([base]);
    for (let i = 2; i <= 11; i++) taken.add(vdcNamespaceName('o'.repeat(100), 'v'.repeat(100), (n) => taken.has(n)));
    const tenth = [...taken].at(-1)!;
    expect(tenth.endsWith('-11')).toBe(true);
    expect(tenth.length).toBe(63);
  });

  it('does not leave a dash before the suffix when the cut lands on one', () => {
    const vdc = `${'v'.repeat(52)}-x`; // base ends "...v-x"; cutting 2 chars leaves "...v-"
    const base = baseNamespaceName('acme', vdc);
    expect(base.length).toBe(63);
    const name = vdcNamespaceName('acme', vdc, takenSet(base));
    expect(name).toBe(`vdc-acme-${'v'.repeat(52)}-2`);
    expect(name).toMatch(DNS1123);
  });

  it('handles collisions of names made only of the prefix', () => {
    expect(vdcNamespaceName('日本', '東京', takenSet('vdc'))).toBe('vdc-2');
  });

  it('gives up with an error when isTaken never frees a name', () => {
    expect(() => vdcNamespaceName('a', 'b', () => true)).toThrow(/no free namespace name/);
  });
});
