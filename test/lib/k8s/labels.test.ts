/**
 * Label keys and value sanitising (docs/kubernetes.md "Conventions": at most 63 characters of [A-Za-z0-9._-],
 * starting and ending with an alphanumeric; DNS-1123 labels for object names).
 */
import { describe, expect, it } from 'vitest';
import * as L from '#lib/k8s/labels.ts';

// The validation rules of the Kubernetes API server (apimachinery IsValidLabelValue / IsDNS1123Label).
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Deterministic pseudo-random text with awkward characters. */
function* samples(n: number): Generator<string> {
  const alphabet = ['a', 'Z', '0', '9', '-', '_', '.', ' ', '\t', '/', ':', 'é', '日', '🚀', '$', '"', '\u212A'];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < n; i++) {
    const len = Math.floor(rnd() * 90);
    yield Array.from({ length: len }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  }
}

describe('label keys', () => {
  it('uses the keys and values docs/kubernetes.md documents', () => {
    expect([L.MANAGED_BY, L.MANAGED_BY_VALUE, L.COMPONENT]).toEqual(['app.kubernetes.io/managed-by', 'ssvirt', 'app.kubernetes.io/component']);
    expect([L.L_ORG, L.L_ORG_ID, L.L_VDC, L.L_VDC_ID, L.L_VAPP_ID, L.L_TEMPLATE]).toEqual([
      'ssvirt.io/organization', 'ssvirt.io/organization-id', 'ssvirt.io/vdc', 'ssvirt.io/vdc-id', 'ssvirt.io/vapp-id', 'ssvirt.io/template',
    ]);
    expect([L.A_ORG_URN, L.A_ORG_DISPLAY, L.A_VDC_URN, L.A_VDC_NAME, L.A_VDC_DESCRIPTION, L.A_VDC_ENABLED]).toEqual([
      'ssvirt.io/organization-urn', 'ssvirt.io/organization-display-name', 'ssvirt.io/vdc-urn', 'ssvirt.io/vdc-name', 'ssvirt.io/vdc-description', 'ssvirt.io/vdc-enabled',
    ]);
    expect([L.A_VAPP_URN, L.A_VAPP_NAME, L.A_TEMPLATE_NS]).toEqual(['ssvirt.io/vapp-urn', 'ssvirt.io/vapp-name', 'ssvirt.io/template-namespace']);
    expect(L.TI_OWNER).toBe('template.openshift.io/template-instance-owner');
  });
});

describe('labelValue', () => {
  it.each([
    ['acme', 'acme'],
    ['ACME Corporation', 'ACME-Corporation'],
    ['Dev  Team', 'Dev-Team'],
    ['v1.2_beta-3', 'v1.2_beta-3'],
    ['a--b', 'a--b'],
    ['-_.edge._-', 'edge'],
    ["O'Brien & Sons, Ltd.", 'OBrien--Sons-Ltd'],
    ['Café Zürich', 'Caf-Zrich'],
    ['a/b:c', 'abc'],
    ['日本', ''],
    ['', ''],
    ['   ', ''],
  ])('%j → %j', (input, out) => {
    expect(L.labelValue(input)).toBe(out);
  });

  it('cuts to 63 characters and trims what the cut leaves at the end', () => {
    expect(L.labelValue('x'.repeat(100))).toBe('x'.repeat(63));
    // The 63rd character is '-': the value must end with an alphanumeric.
    expect(L.labelValue('y'.repeat(62) + '-tail')).toBe('y'.repeat(62));
  });

  it('always gives a value the API server accepts', () => {
    for (const s of samples(500)) {
      const v = L.labelValue(s);
      expect(v.length, s).toBeLessThanOrEqual(63);
      expect(v, s).toMatch(LABEL_VALUE);
    }
  });
});

describe('dnsLabel', () => {
  it.each([
    ['My vApp', 'my-vapp'],
    ['web_server 01', 'web-server-01'],
    ['a__b  c--d', 'a-b-c-d'],
    ['--x--', 'x'],
    ['Ünïcode', 'ncode'],
    ['a.b/c', 'abc'],
    ['!!!', ''],
  ])('%j → %j', (input, out) => {
    expect(L.dnsLabel(input)).toBe(out);
  });

  it('respects the maximum length and trims a hyphen left by the cut', () => {
    expect(L.dnsLabel('a'.repeat(80))).toBe('a'.repeat(63));
    expect(L.dnsLabel('abcd-efgh', 5)).toBe('abcd');
    expect(L.dnsLabel('abcdefgh', 5)).toBe('abcde');
  });

  it('always gives a DNS-1123 label (or nothing)', () => {
    for (const s of samples(500)) {
      const v = L.dnsLabel(s, 40);
      expect(v.length, s).toBeLessThanOrEqual(40);
      if (v) expect(v, s).toMatch(DNS1123);
    }
  });
});
