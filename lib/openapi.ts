/**
 * The OpenAPI 3.1 description of the API, generated from the route table: each function's
 * `defineRoute` declaration (summary, path parameters, query and body valibot schemas, auth)
 * becomes an operation, the schemas converted with @valibot/to-json-schema. Nothing is written by
 * hand, so the description cannot drift from what the server validates.
 *
 * Query schemas are described as the client sends them (`typeMode: 'input'`: strings before any
 * transformation); bodies as the object the server keeps (`typeMode: 'output'`: a
 * `pipe(custom guard, object)` is described by its object). Checks that JSON Schema cannot say
 * (custom checks, transformations) are left out of the description, not out of validation.
 */
import * as v from 'valibot';
import { toJsonSchema, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import type { RouteDef } from './http/routes.ts';
import type { UrnType } from './urn.ts';
import { API_VERSIONS } from './http/accept.ts';
import { VERSION } from './version.ts';

type Schema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, Schema> };
  tags: { name: string }[];
}

export interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: Schema } } };
  responses: Record<string, unknown>;
}

interface Parameter { name: string; in: 'path' | 'query'; required: boolean; description?: string; schema: Schema }

/** A conversion problem: the description of that schema is incomplete. */
export interface SchemaProblem { method: string; path: string; part: 'query' | 'body'; message: string }

const IGNORED_ACTIONS = ['trim', 'trim_start', 'trim_end', 'to_lower_case', 'to_upper_case', 'transform', 'check', 'raw_check', 'raw_transform'];

const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

const ERROR_SCHEMA: Schema = {
  type: 'object',
  description: 'The error envelope of every non-2xx answer.',
  properties: {
    minorErrorCode: { type: 'string', examples: ['BAD_REQUEST', 'DUPLICATE_NAME', 'RESOURCE_NOT_FOUND'] },
    message: { type: 'string' },
    stackTrace: { type: 'null' },
    code: { type: 'integer' },
    error: { type: 'string' },
  },
  required: ['minorErrorCode', 'message', 'stackTrace', 'code', 'error'],
};

/** `/cloudapi/1.0.0/orgs/:orgId` → `/cloudapi/1.0.0/orgs/{orgId}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The tag an operation is listed under: its resource (the segment after the API prefix). */
function tagOf(path: string): string {
  const segs = path.split('/').filter(Boolean);
  if (segs[0] === 'cloudapi') return segs[1] === '1.0.0' ? (segs[2] ?? 'cloudapi') : 'api description';
  if (segs[0] === 'api') return segs[1] === 'admin' ? 'admin' : segs[1] === 'v1' || segs[1] === 'versions' ? 'meta' : (segs[1] ?? 'api');
  return 'meta';
}

function convert(schema: v.GenericSchema, typeMode: 'input' | 'output', problems: string[]): Schema {
  const config: ConversionConfig = {
    target: 'draft-2020-12',
    typeMode,
    errorMode: 'ignore',
    ignoreActions: IGNORED_ACTIONS,
    overrideSchema(ctx) {
      if (ctx.errors?.length) problems.push(...ctx.errors);
      return undefined;
    },
  };
  const out = toJsonSchema(schema, config) as JsonSchema & Schema;
  delete out.$schema;
  return out;
}

function pathParameter(name: string, type: UrnType | 'string'): Parameter {
  if (type === 'string') return { name, in: 'path', required: true, schema: { type: 'string' } };
  return {
    name,
    in: 'path',
    required: true,
    description: `urn:vcloud:${type}:<uuid> (percent-encoded or not), or the bare uuid`,
    schema: { type: 'string', pattern: `^(urn(:|%3[aA])vcloud(:|%3[aA])${type}(:|%3[aA]))?${UUID_PATTERN}$` },
  };
}

/** Builds the document; `problems` collects what could not be described (tests keep it empty). */
export function buildOpenApi(routes: RouteDef[], problems: SchemaProblem[] = []): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const tags = new Set<string>();
  const ids = new Map<string, number>();
  for (const r of routes) {
    const meta = r.handler.meta;
    const parameters: Parameter[] = Object.entries(meta.params ?? {}).map(([name, type]) => pathParameter(name, type as UrnType | 'string'));
    const issues = (part: 'query' | 'body') => (m: string) => problems.push({ method: r.method, path: r.path, part, message: m });
    if (meta.query) {
      const found: string[] = [];
      const q = convert(meta.query, 'input', found);
      found.forEach(issues('query'));
      const required = new Set((q.required as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries((q.properties as Record<string, Schema> | undefined) ?? {})) {
        parameters.push({ name, in: 'query', required: required.has(name), schema });
      }
    }
    const tag = tagOf(r.path);
    tags.add(tag);
    const base = r.handler.name && r.handler.name !== 'handler' && r.handler.name !== 'handle' ? r.handler.name : `${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ?? '').toUpperCase())}`;
    const seen = ids.get(base) ?? 0;
    ids.set(base, seen + 1);
    const op: Operation = {
      operationId: seen ? `${base}${seen + 1}` : base,
      summary: meta.summary,
      tags: [tag],
      security: meta.auth === false ? (r.path.includes('/sessions') && r.method === 'POST' ? [{ basicAuth: [] }] : []) : [{ bearerAuth: [] }],
      responses: {
        '2XX': { description: 'Success' },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (parameters.length) op.parameters = parameters;
    if (meta.body) {
      const found: string[] = [];
      const schema = convert(meta.body, 'output', found);
      found.forEach(issues('body'));
      op.requestBody = { required: Array.isArray(schema.required) && schema.required.length > 0, content: { 'application/json': { schema } } };
    }
    (paths[openApiPath(r.path)] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SSVirt API',
      version: VERSION,
      description:
        'VMware Cloud Director–dialect API for OpenShift Virtualization. Log in with POST ' +
        '/cloudapi/1.0.0/sessions (tenant) or /cloudapi/1.0.0/sessions/provider (System) using HTTP Basic ' +
        '`user@org:password`, then send the returned `X-VMWARE-VCLOUD-ACCESS-TOKEN` as `Authorization: Bearer <token>`. ' +
        `Send \`Accept: application/json;version=<v>\` with one of ${API_VERSIONS.join(', ')}.`,
    },
    paths,
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic', description: '`user@org:password`, only to log in' },
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'The access token returned by a login' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    tags: [...tags].sort().map((name) => ({ name })),
  };
}

const cache = new WeakMap<RouteDef[], OpenApiDocument>();

/** The document for a route table, built once per table. */
export function openApiFor(routes: RouteDef[]): OpenApiDocument {
  let doc = cache.get(routes);
  if (!doc) {
    doc = buildOpenApi(routes);
    cache.set(routes, doc);
  }
  return doc;
}
