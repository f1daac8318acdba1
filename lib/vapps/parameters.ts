/**
 * Template parameters checked against the template before anything is created
 * (docs/kubernetes.md "vApp → TemplateInstance"): unknown names and required parameters without a
 * value, default or generator are 400s. Messages name parameters, never echo values (secrets).
 */
import type { CatalogTemplate } from '#lib/catalog/template.ts';
import { badRequest } from '#lib/http/errors.ts';

/**
 * The parameters to send: the caller's, plus `NAME` (the VM name) from the instance name when
 * the template has a NAME parameter and the caller gave none.
 */
export function templateParameters(t: CatalogTemplate, given: Record<string, string>, defaultName: string): Record<string, string> {
  const known = new Map(t.parameters.map((p) => [p.name, p]));
  const unknown = Object.keys(given).filter((k) => !known.has(k));
  if (unknown.length) {
    throw badRequest(`parameters: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k.slice(0, 64)}'`).join(', ')} for template ${t.namespace}/${t.name}; it takes: ${[...known.keys()].join(', ') || 'none'}`);
  }
  // Any key present in the params Secret switches OpenShift's generator off for that parameter,
  // so an empty value would not fall back to the default or generator: an empty
  // CLOUD_USER_PASSWORD would become a VM with an empty password. Refuse it instead.
  const empty = Object.keys(given).filter((k) => given[k] === '');
  if (empty.length) {
    throw badRequest(`parameters: empty value for ${empty.map((k) => `'${k}'`).join(', ')}; leave a parameter out to use its default or generator`);
  }
  const out = { ...given };
  if (known.has('NAME') && !out.NAME) out.NAME = defaultName;
  const missing = t.parameters.filter((p) => p.required && !p.hasDefault && !p.generated && !out[p.name]).map((p) => p.name);
  if (missing.length) {
    throw badRequest(`parameters: template ${t.namespace}/${t.name} requires a value for ${missing.join(', ')}`);
  }
  return out;
}
