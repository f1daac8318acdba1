/**
 * Create/update validation with the apiserver's 422 wording: object names, label keys and values,
 * and for the CustomResources the handful of OpenAPI schema type checks the CRDs would enforce.
 */
import { errors, type StatusCause } from './errors.ts';
import type { ResourceDef } from './resources.ts';
import type { Obj } from './serialize.ts';

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Namespaces need a DNS-1123 label; everything else here a DNS-1123 subdomain. */
export function nameProblems(def: ResourceDef, name: string): string[] {
  const out: string[] = [];
  if (def.group === 'rbac.authorization.k8s.io') {
    // RBAC names only need to be path segments (system:discovery and the like have colons).
    if (name === '.' || name === '..') out.push(`may not be '${name}'`);
    for (const c of ['/', '%']) if (name.includes(c)) out.push(`may not contain '${c}'`);
  } else if (def.kind === 'Namespace') {
    if (name.length > 63) out.push('must be no more than 63 characters');
    if (!LABEL_RE.test(name)) out.push(LABEL_MSG);
  } else {
    if (name.length > 253) out.push('must be no more than 253 characters');
    if (!SUBDOMAIN_RE.test(name)) out.push(SUBDOMAIN_MSG);
  }
  return out;
}

function labelKeyProblems(k: string): string[] {
  const out: string[] = [];
  const parts = k.split('/');
  if (parts.length > 2) return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else if (!SUBDOMAIN_RE.test(prefix)) out.push(`prefix part ${SUBDOMAIN_MSG}`);
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else {
    if (name.length > 63) out.push('name part must be no more than 63 characters');
    if (!QUALIFIED_NAME_RE.test(name)) out.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  }
  return out;
}

/** Builds the kind name the validation messages use: `Namespace`, `VirtualMachine.kubevirt.io`. */
export function kindName(def: ResourceDef): string {
  return def.group ? `${def.kind}.${def.group}` : def.kind;
}

type Type = 'string' | 'boolean' | 'integer' | 'number' | 'object' | 'array';
interface FieldRule { path: string; type: Type; required?: boolean }

/** What the installed CRDs' schemas check (the rest of each schema preserves unknown fields). */
const CRD_RULES: Record<string, FieldRule[]> = {
  VirtualMachine: [
    { path: 'spec', type: 'object', required: true },
    { path: 'spec.running', type: 'boolean' },
    { path: 'spec.runStrategy', type: 'string' },
    { path: 'spec.template', type: 'object', required: true },
    { path: 'spec.template.spec', type: 'object' },
    { path: 'spec.dataVolumeTemplates', type: 'array' },
  ],
  VirtualMachineInstance: [
    { path: 'spec', type: 'object', required: true },
    { path: 'spec.domain', type: 'object' },
  ],
  Template: [
    { path: 'objects', type: 'array' },
    { path: 'parameters', type: 'array' },
    { path: 'labels', type: 'object' },
    { path: 'message', type: 'string' },
  ],
  TemplateInstance: [
    { path: 'spec', type: 'object' },
    { path: 'spec.template', type: 'object' },
    { path: 'spec.secret', type: 'object' },
    { path: 'spec.secret.name', type: 'string' },
  ],
};

function typeOf(v: unknown): Type | 'null' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v as Type;
}

function at(o: Obj, path: string): { found: boolean; value: unknown; parentMissing: boolean } {
  let cur: any = o;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    if (cur == null || typeof cur !== 'object' || Array.isArray(cur)) return { found: false, value: undefined, parentMissing: i > 0 };
    if (!(parts[i]! in cur)) return { found: false, value: undefined, parentMissing: i < parts.length - 1 };
    cur = cur[parts[i]!];
  }
  return { found: true, value: cur, parentMissing: false };
}

/** Throws the 422 a real server gives for the object, or returns when it is valid. */
export function validateObject(def: ResourceDef, obj: Obj, opts: { checkName: boolean }): void {
  const name: string = obj.metadata?.name ?? '';
  const causes: StatusCause[] = [];
  if (opts.checkName) {
    for (const p of nameProblems(def, name)) {
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${p}`, field: 'metadata.name' });
    }
  }
  for (const [k, v] of Object.entries((obj.metadata?.labels ?? {}) as Obj)) {
    for (const p of labelKeyProblems(k)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${k}": ${p}`, field: 'metadata.labels' });
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE_RE.test(v)) {
      const why = typeof v === 'string' && v.length > 63 ? 'must be no more than 63 characters'
        : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${String(v)}": ${why}`, field: 'metadata.labels' });
    }
  }
  for (const k of Object.keys((obj.metadata?.annotations ?? {}) as Obj)) {
    for (const p of labelKeyProblems(k)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${k}": ${p}`, field: 'metadata.annotations' });
  }
  if (def.crd) {
    for (const rule of CRD_RULES[def.kind] ?? []) {
      const r = at(obj, rule.path);
      if (!r.found) {
        if (rule.required && !r.parentMissing) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: rule.path });
        continue;
      }
      const t = typeOf(r.value);
      const ok = t === rule.type || (rule.type === 'number' && t === 'integer');
      if (!ok) {
        causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${t}": ${rule.path} in body must be of type ${rule.type}: "${t}"`, field: rule.path });
      }
    }
  }
  if (causes.length) throw errors.invalid(kindName(def), name, def.group, def.kind, causes);
}
