/**
 * The OpenAPI v2 document in protobuf, as gnostic's `openapi.v2.Document` (OpenAPIv2.proto): the only
 * form client-go asks `/openapi/v2` for (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`),
 * with no JSON fallback. Only the messages and fields the simulator's documents use are encoded; a
 * key this encoder does not know is an error rather than silently lost, so a schema that grows a new
 * keyword fails the unit tests instead of kubectl in the field.
 *
 * Vendor extensions (`x-…`), `default`, `enum` and `example` are `Any` values whose `yaml` field holds
 * the value serialised; JSON is valid YAML and is what is written.
 */
import type { Obj } from './serialize.ts';

/** Protobuf wire encoding of one message: fields appended in order. */
class Message {
  private readonly parts: Buffer[] = [];

  private varint(n: number): void {
    const bytes: number[] = [];
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
  }

  private tag(field: number, wire: number): void { this.varint((field << 3) | wire); }

  string(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  strings(field: number, list: string[] | undefined): this {
    for (const s of list ?? []) this.bytes(field, Buffer.from(s, 'utf8'));
    return this;
  }

  bytes(field: number, b: Buffer): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  message(field: number, m: Message | undefined): this {
    return m ? this.bytes(field, m.finish()) : this;
  }

  bool(field: number, v: boolean | undefined): this {
    if (!v) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  int64(field: number, v: number | undefined): this {
    if (v === undefined || v === 0) return this;
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  double(field: number, v: number | undefined): this {
    if (v === undefined || v === 0) return this;
    this.tag(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.parts.push(b);
    return this;
  }

  finish(): Buffer { return Buffer.concat(this.parts); }
}

const yamlAny = (v: unknown): Message => new Message().string(2, JSON.stringify(v));
const namedAny = (name: string, v: unknown): Message => new Message().string(1, name).message(2, yamlAny(v));

function extensions(m: Message, field: number, o: Obj): void {
  for (const [k, v] of Object.entries(o)) if (k.startsWith('x-')) m.message(field, namedAny(k, v));
}

function unknownKeys(o: Obj, known: Set<string>, where: string): void {
  for (const k of Object.keys(o)) {
    if (!known.has(k) && !k.startsWith('x-')) throw new Error(`openapi v2 protobuf: ${where} key "${k}" is not encoded`);
  }
}

const SCHEMA_KEYS = new Set([
  '$ref', 'format', 'title', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties',
  'minProperties', 'required', 'enum', 'additionalProperties', 'type', 'items', 'allOf', 'properties', 'readOnly', 'example',
]);

function schema(s: Obj): Message {
  unknownKeys(s, SCHEMA_KEYS, 'schema');
  const m = new Message()
    .string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) m.message(5, yamlAny(s.default));
  m.double(6, s.multipleOf).double(7, s.maximum).bool(8, s.exclusiveMaximum).double(9, s.minimum).bool(10, s.exclusiveMinimum)
    .int64(11, s.maxLength).int64(12, s.minLength).string(13, s.pattern).int64(14, s.maxItems).int64(15, s.minItems)
    .bool(16, s.uniqueItems).int64(17, s.maxProperties).int64(18, s.minProperties).strings(19, s.required);
  for (const e of (s.enum as unknown[] | undefined) ?? []) m.message(20, yamlAny(e));
  if (typeof s.additionalProperties === 'boolean') m.message(21, new Message().bool(2, s.additionalProperties));
  else if (s.additionalProperties) m.message(21, new Message().message(1, schema(s.additionalProperties)));
  if (s.type !== undefined) m.message(22, new Message().strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  if (s.items) m.message(23, new Message().message(1, schema(s.items)));
  for (const a of (s.allOf as Obj[] | undefined) ?? []) m.message(24, schema(a));
  if (s.properties) {
    const p = new Message();
    for (const [name, v] of Object.entries(s.properties as Record<string, Obj>)) p.message(1, new Message().string(1, name).message(2, schema(v)));
    m.message(25, p);
  }
  m.bool(27, s.readOnly);
  if (s.example !== undefined) m.message(30, yamlAny(s.example));
  extensions(m, 31, s);
  return m;
}

const PARAM_KEYS = new Set(['name', 'in', 'description', 'required', 'type', 'uniqueItems', 'schema']);

function parameter(p: Obj): Message {
  unknownKeys(p, PARAM_KEYS, `parameter ${String(p.name)}`);
  let param: Message;
  if (p.in === 'body') {
    param = new Message().message(1, new Message()
      .string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required).message(5, p.schema ? schema(p.schema) : undefined));
  } else if (p.in === 'query') {
    const q = new Message().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name)
      .string(6, p.type).bool(20, p.uniqueItems);
    param = new Message().message(2, new Message().message(3, q));
  } else if (p.in === 'path') {
    const q = new Message().bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name)
      .string(5, p.type).bool(19, p.uniqueItems);
    param = new Message().message(2, new Message().message(4, q));
  } else {
    throw new Error(`openapi v2 protobuf: parameter location "${String(p.in)}" is not encoded`);
  }
  return new Message().message(1, param);
}

const OPERATION_KEYS = new Set(['tags', 'description', 'operationId', 'produces', 'consumes', 'parameters', 'responses', 'schemes']);

function operation(o: Obj): Message {
  unknownKeys(o, OPERATION_KEYS, `operation ${String(o.operationId)}`);
  const m = new Message().strings(1, o.tags).string(3, o.description).string(5, o.operationId)
    .strings(6, o.produces).strings(7, o.consumes);
  for (const p of (o.parameters as Obj[] | undefined) ?? []) m.message(8, parameter(p));
  const responses = new Message();
  for (const [code, r] of Object.entries((o.responses as Record<string, Obj> | undefined) ?? {})) {
    const resp = new Message().string(1, r.description);
    if (r.schema) resp.message(2, new Message().message(1, schema(r.schema)));
    responses.message(1, new Message().string(1, code).message(2, new Message().message(1, resp)));
  }
  m.message(9, responses).strings(10, o.schemes);
  extensions(m, 13, o);
  return m;
}

const METHOD_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Obj): Message {
  const m = new Message();
  for (const [method, field] of Object.entries(METHOD_FIELDS)) if (item[method]) m.message(field, operation(item[method]));
  for (const p of (item.parameters as Obj[] | undefined) ?? []) m.message(9, parameter(p));
  for (const k of Object.keys(item)) {
    if (!(k in METHOD_FIELDS) && k !== 'parameters' && !k.startsWith('x-')) throw new Error(`openapi v2 protobuf: path item key "${k}" is not encoded`);
  }
  extensions(m, 10, item);
  return m;
}

/** Encodes a Swagger 2.0 document (as served in JSON) into gnostic's protobuf `Document`. */
export function encodeV2Document(doc: Obj): Buffer {
  const m = new Message().string(1, doc.swagger);
  if (doc.info) m.message(2, new Message().string(1, doc.info.title).string(2, doc.info.version).string(3, doc.info.description));
  m.string(3, doc.host).string(4, doc.basePath).strings(5, doc.schemes).strings(6, doc.consumes).strings(7, doc.produces);
  const paths = new Message();
  for (const [p, item] of Object.entries((doc.paths as Record<string, Obj> | undefined) ?? {})) {
    paths.message(2, new Message().string(1, p).message(2, pathItem(item)));
  }
  m.message(8, paths);
  const defs = new Message();
  for (const [name, s] of Object.entries((doc.definitions as Record<string, Obj> | undefined) ?? {})) {
    defs.message(1, new Message().string(1, name).message(2, schema(s)));
  }
  m.message(9, defs);
  extensions(m, 16, doc);
  return m.finish();
}
