/**
 * Pure OpenShift template processing, as the template controller performs it: parameter values from
 * the instance's Secret, defaults, `generate: expression` generators, `${PARAM}` / `${{PARAM}}`
 * substitution, the template's `labels` and the namespace rule. No I/O here, so it is unit-tested on
 * its own.
 */
import { randomInt } from 'node:crypto';

export interface TemplateParameter {
  name: string;
  displayName?: string;
  description?: string;
  value?: string;
  generate?: string;
  from?: string;
  required?: boolean;
}

export interface TemplateLike {
  metadata?: { name?: string; namespace?: string };
  objects?: unknown[];
  parameters?: TemplateParameter[];
  labels?: Record<string, string>;
  message?: string;
}

/** A failure OpenShift reports as a Template validation error (field path + reason). */
export class TemplateProcessError extends Error {}

// OpenShift's documented shorthands inside a generator's character class.
const CLASS_SHORTHANDS: Record<string, string> = {
  w: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_',
  d: '0123456789',
  a: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  A: '~!@#$%^&*()-_+={}[]\\|<,>.?/"\';:`',
};

const GENERATOR_RE = /\[((?:\\.|[^\]\\])+)\]\{(\d+)\}/g;

/** The alphabet of one `[...]` class: ranges (`a-z`), single characters and `\w \d \a \A`. */
export function classAlphabet(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      const next = body[++i]!;
      out += CLASS_SHORTHANDS[next] ?? next;
      continue;
    }
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const end = body[i + 2]!;
      const lo = c.charCodeAt(0);
      const hi = end.charCodeAt(0);
      if (hi < lo) throw new TemplateProcessError(`invalid range specified: ${c}-${end}`);
      for (let code = lo; code <= hi; code++) out += String.fromCharCode(code);
      i += 2;
      continue;
    }
    out += c;
  }
  return [...new Set(out)].join('');
}

/**
 * Expands a `generate: expression` value: every `[class]{n}` becomes n random characters of the class,
 * everything else is kept literally (`fedora-[a-z0-9]{16}` → `fedora-k2…`).
 */
export function generateFromExpression(from: string, pick: (n: number) => number = randomInt): string {
  return from.replace(GENERATOR_RE, (_m, body: string, count: string) => {
    const n = Number(count);
    if (n < 1 || n > 255) throw new TemplateProcessError(`range must be within [1-255] characters (${n})`);
    const alphabet = classAlphabet(body);
    if (!alphabet) throw new TemplateProcessError(`empty range in expression: ${from}`);
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[pick(alphabet.length)];
    return s;
  });
}

/**
 * Resolves the final parameter values the way OpenShift does: a value from the Secret wins and
 * disables the generator, then `value`, then the generator; a required parameter left empty fails.
 */
export function resolveParameters(template: TemplateLike, supplied: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  const tname = template.metadata?.name ?? '';
  (template.parameters ?? []).forEach((p, i) => {
    let value = p.value ?? '';
    let generate = p.generate ?? '';
    if (Object.prototype.hasOwnProperty.call(supplied, p.name)) {
      value = supplied[p.name] ?? '';
      generate = '';
    }
    const path = `template.parameters[${i}]`;
    if (!value && generate) {
      if (generate !== 'expression') {
        throw new TemplateProcessError(
          `Template.template.openshift.io "${tname}" is invalid: ${path}: Not found: ${JSON.stringify(generate)}`,
        );
      }
      try {
        value = generateFromExpression(p.from ?? '');
      } catch (e) {
        throw new TemplateProcessError(
          `Template.template.openshift.io "${tname}" is invalid: ${path}: Invalid value: ${JSON.stringify(p.from ?? '')}: ${(e as Error).message}`,
        );
      }
    }
    if (!value && p.required) {
      throw new TemplateProcessError(
        `Template.template.openshift.io "${tname}" is invalid: ${path}: Required value: parameter ${p.name} is required and must be specified`,
      );
    }
    values.set(p.name, value);
  });
  return values;
}

const TYPED_WHOLE_RE = /^\$\{\{([a-zA-Z0-9_]+)\}\}$/;
const REF_RE = /\$\{\{?([a-zA-Z0-9_]+)\}?\}/g;

/** Substitutes `${P}` inside a string (and a lone `${{P}}` as a typed JSON value). */
export function substituteString(s: string, values: Map<string, string>): unknown {
  const whole = TYPED_WHOLE_RE.exec(s);
  if (whole && values.has(whole[1]!)) {
    const raw = values.get(whole[1]!)!;
    try {
      return JSON.parse(raw);
    } catch {
      // Not valid JSON: OpenShift keeps it as a plain string.
      return raw;
    }
  }
  return s.replace(REF_RE, (m, name: string) => {
    // `${{P}}` embedded in a longer string and `${P}` both interpolate as text; the regex also matches
    // the unbalanced `${{P}` / `${P}}`, which must stay untouched.
    const typed = m.startsWith('${{');
    if (typed !== m.endsWith('}}')) return m;
    return values.has(name) ? values.get(name)! : m;
  });
}

/** Deep substitution over every string value and map key of an object. */
export function substitute(value: unknown, values: Map<string, string>): unknown {
  if (typeof value === 'string') return substituteString(value, values);
  if (Array.isArray(value)) return value.map((v) => substitute(v, values));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = substituteString(k, values);
      out[typeof key === 'string' ? key : String(key)] = substitute(v, values);
    }
    return out;
  }
  return value;
}

export interface ProcessedObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * Processes a template into the objects to create: parameters resolved, references substituted, the
 * template's `labels` added to every object (they win over the object's own), and a hard-coded namespace dropped unless it came from a
 * parameter (OpenShift's rule).
 */
export function processTemplate(
  template: TemplateLike,
  supplied: Record<string, string>,
): { objects: ProcessedObject[]; values: Map<string, string> } {
  const values = resolveParameters(template, supplied);
  const objects = (template.objects ?? []).map((raw) => {
    const obj = structuredClone(raw) as ProcessedObject;
    obj.metadata ??= {};
    if (typeof obj.metadata.namespace === 'string' && !obj.metadata.namespace.includes('${')) {
      delete obj.metadata.namespace;
    }
    const out = substitute(obj, values) as ProcessedObject;
    out.metadata ??= {};
    if (template.labels && Object.keys(template.labels).length > 0) {
      const labels = substitute(template.labels, values) as Record<string, string>;
      // OpenShift overwrites an object's label with the template's label of the same key.
      out.metadata.labels = { ...(out.metadata.labels ?? {}), ...labels };
    }
    return out;
  });
  return { objects, values };
}
