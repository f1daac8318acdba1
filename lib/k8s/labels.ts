/**
 * The label and annotation keys SSVirt writes, and label-value sanitising (Kubernetes rules:
 * at most 63 characters of [A-Za-z0-9._-], starting and ending with an alphanumeric).
 */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'ssvirt';
export const COMPONENT = 'app.kubernetes.io/component';
export const L_ORG = 'ssvirt.io/organization';
export const L_ORG_ID = 'ssvirt.io/organization-id';
export const L_VDC = 'ssvirt.io/vdc';
export const L_VDC_ID = 'ssvirt.io/vdc-id';
export const L_VAPP_ID = 'ssvirt.io/vapp-id';
export const L_TEMPLATE = 'ssvirt.io/template';
export const A_ORG_URN = 'ssvirt.io/organization-urn';
export const A_ORG_DISPLAY = 'ssvirt.io/organization-display-name';
export const A_VDC_URN = 'ssvirt.io/vdc-urn';
export const A_VDC_NAME = 'ssvirt.io/vdc-name';
export const A_VDC_DESCRIPTION = 'ssvirt.io/vdc-description';
export const A_VDC_ENABLED = 'ssvirt.io/vdc-enabled';
export const A_VAPP_URN = 'ssvirt.io/vapp-urn';
export const A_VAPP_NAME = 'ssvirt.io/vapp-name';
export const A_TEMPLATE_NS = 'ssvirt.io/template-namespace';
export const TI_OWNER = 'template.openshift.io/template-instance-owner';
export const FIELD_MANAGER = 'ssvirt';

/** A label value from free text; empty when nothing usable is left. */
export function labelValue(s: string): string {
  let v = s.replace(/\s+/g, '-').replace(/[^A-Za-z0-9._-]/g, '');
  if (v.length > 63) v = v.slice(0, 63);
  return v.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** A DNS-1123 label (lower-case alphanumerics and '-', ≤ max) from free text. */
export function dnsLabel(s: string, max = 63): string {
  const v = s.toLowerCase().replace(/[_\s]+/g, '-').replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-');
  return v.slice(0, max).replace(/^-+/, '').replace(/-+$/, '');
}
