/**
 * Structural-schema pruning of custom resources, as apiextensions-apiserver does it on every write:
 * a field the CRD's `openAPIV3Schema` does not declare is dropped, unless the schema (at that level)
 * says `x-kubernetes-preserve-unknown-fields: true`; `x-kubernetes-embedded-resource` objects keep
 * `apiVersion`, `kind` and `metadata`; the root `metadata` (and an embedded resource's) is cut down
 * to ObjectMeta. What was dropped is reported per the request's `fieldValidation`: `Strict` refuses
 * the write with a 400, `Warn` (the default) answers a `Warning` header per field, `Ignore` says
 * nothing.
 */
import { ApiError, failure } from './errors.ts';
import type { Obj } from './serialize.ts';

/** The subset of JSONSchemaProps that decides pruning. */
export interface StructuralSchema {
  type?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** ObjectMeta's JSON fields (v1.28; `clusterName` is gone since 1.25). */
const OBJECT_META = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
]);

const isMap = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Where dropped paths go, and whether the fields are really deleted (false: only looked for). */
interface Walk { dropped: string[]; remove: boolean }

function drop(o: Obj, k: string, path: string, w: Walk): void {
  if (w.remove) delete o[k];
  w.dropped.push(path);
}

function pruneMeta(meta: unknown, path: string, w: Walk): void {
  if (!isMap(meta)) return;
  for (const k of Object.keys(meta)) if (!OBJECT_META.has(k)) drop(meta, k, join(path, k), w);
}

function pruneValue(value: unknown, schema: StructuralSchema | undefined, path: string, w: Walk): void {
  if (!schema || schema['x-kubernetes-int-or-string']) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => pruneValue(v, schema.items, `${path}[${i}]`, w));
    return;
  }
  if (!isMap(value)) return;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const k of Object.keys(value)) {
    const p = join(path, k);
    if (embedded && (k === 'apiVersion' || k === 'kind')) continue;
    if (embedded && k === 'metadata') { pruneMeta(value[k], p, w); continue; }
    const declared = schema.properties?.[k];
    if (declared) { pruneValue(value[k], declared, p, w); continue; }
    const extra = schema.additionalProperties;
    if (isMap(extra)) { pruneValue(value[k], extra as StructuralSchema, p, w); continue; }
    if (extra === true || preserve) continue;
    drop(value, k, p, w);
  }
}

/**
 * Prunes `obj` in place against the CRD version's schema and returns the dropped field paths
 * (`spec.foo`, `spec.items[0].bar`, `metadata.baz`), sorted. With `remove: false` it only reports
 * them, leaving `obj` (which may share maps with a stored object) untouched.
 */
export function prune(obj: Obj, schema: StructuralSchema, opts: { remove?: boolean } = {}): string[] {
  const w: Walk = { dropped: [], remove: opts.remove ?? true };
  for (const k of Object.keys(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata') { pruneMeta(obj.metadata, 'metadata', w); continue; }
    const declared = schema.properties?.[k];
    if (declared) pruneValue(obj[k], declared, k, w);
    else if (!schema['x-kubernetes-preserve-unknown-fields']) drop(obj, k, k, w);
  }
  return w.dropped.sort();
}

/**
 * The registry's field hook for custom resources: finds what the schema does not declare, refuses
 * (Strict) or drops it from a copy that replaces `obj`'s top-level fields, and adds the warnings to
 * `caller.warnings` (Warn).
 */
export function pruneWrite(
  obj: Obj,
  schema: StructuralSchema | undefined,
  caller: { fieldValidation?: FieldValidation; warnings?: string[] },
): void {
  if (!schema) return;
  const found = prune(obj, schema, { remove: false });
  if (found.length === 0) return;
  const warnings = unknownFieldWarnings(found, caller.fieldValidation ?? 'Warn');
  const copy = structuredClone(obj);
  prune(copy, schema);
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, copy);
  caller.warnings?.push(...warnings);
}

/**
 * The `fieldValidation` query parameter (empty means Warn). Another value is refused as the
 * request options' validation does: 422 on `CreateOptions`/`UpdateOptions`/`PatchOptions`.
 */
export function parseFieldValidation(raw: string | null, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidation {
  if (raw === null || raw === '') return 'Warn';
  if (raw === 'Strict' || raw === 'Warn' || raw === 'Ignore') return raw;
  const message = `Unsupported value: ${JSON.stringify(raw)}: supported values: "", "Ignore", "Strict", "Warn"`;
  throw new ApiError(failure(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: fieldValidation: ${message}`,
    { group: 'meta.k8s.io', kind: options, causes: [{ reason: 'FieldValueNotSupported', message, field: 'fieldValidation' }] }));
}

/**
 * Applies the directive to what pruning dropped: Strict throws the real 400
 * (`strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`), Warn returns the
 * warning texts to send, Ignore returns none.
 */
export function unknownFieldWarnings(dropped: string[], directive: FieldValidation): string[] {
  if (dropped.length === 0 || directive === 'Ignore') return [];
  const texts = dropped.map((p) => `unknown field "${p}"`);
  if (directive === 'Strict') throw new ApiError(failure(400, 'BadRequest', `strict decoding error: ${texts.join(', ')}`));
  return texts;
}

/** A `Warning` header value (RFC 7234 warn-code 299, no agent), as the API server writes them. */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}
