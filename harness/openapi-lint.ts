import { Validator } from '@seriousme/openapi-schema-validator';
import { DocumentSchemas, deref, type OpenApiDocument, pointerSegment } from './openapi-ajv.ts';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Parameter = { name?: string; in?: string; required?: boolean; schema?: unknown };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: unknown;
  responses?: Record<string, unknown>;
};
type MediaType = { schema?: unknown; example?: unknown; examples?: Record<string, unknown> };

/** Each operation of the document with where it is: `GET /api/v1/calls/{id}` and its JSON pointer. */
export function operationsOf(doc: OpenApiDocument) {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((method) => ({
      method,
      path,
      label: `${method.toUpperCase()} ${path}`,
      pointer: `/paths/${pointerSegment(path)}/${method}`,
      op: item[method] as Operation,
      pathParameters: (item.parameters ?? []) as Operation['parameters'],
    })),
  );
}

/**
 * What is wrong with a published OpenAPI 3.1 document, one line per problem, each saying where (`GET /api/v1/x: …`):
 * the standard validator's errors; an operation without a unique operationId, a summary or declared tags; a security
 * requirement naming no scheme; no `servers`; an example that fails its own schema; a request or response body typed
 * `{}` (any JSON) where the service answers a known shape; a path parameter that is not required; a nullable reference
 * that the generator got wrong. Empty when sound.
 */
export async function openApiProblems(doc: OpenApiDocument): Promise<string[]> {
  return [
    ...(await standardValidity(doc)),
    ...documentLevel(doc),
    ...operationsOf(doc).flatMap((o) => operationProblems(doc, o)),
    ...duplicateOperationIds(doc),
    ...exampleProblems(doc),
    ...nullableReferenceProblems(doc),
  ];
}

/** The errors of the standard OpenAPI 3.1 schema validator, only the deepest of each branch (the cause, not its echo). */
async function standardValidity(doc: OpenApiDocument): Promise<string[]> {
  const result = await new Validator().validate(structuredClone(doc));
  if (result.valid) return [];
  if (typeof result.errors === 'string') return [`OpenAPI 3.1 schema: ${result.errors}`];
  const errors = result.errors ?? [];
  const deepest = errors.filter((e) => !errors.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`)));
  const seen = new Set<string>();
  return deepest.flatMap((e) => {
    const line = `OpenAPI 3.1 schema: ${where(e.instancePath)} ${e.message ?? e.keyword}`;
    if (seen.has(line)) return [];
    seen.add(line);
    return [line];
  });
}

/** `/paths/~1api~1v1~1x/get/parameters/0` → `GET /api/v1/x: parameters/0`. */
export function where(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (parts[0] === 'paths' && parts[1] && parts[2] && (HTTP_METHODS as readonly string[]).includes(parts[2]))
    return `${parts[2].toUpperCase()} ${parts[1]}:${parts.length > 3 ? ` ${parts.slice(3).join('/')}` : ''}`;
  return `${parts.join('/') || '(document)'}:`;
}

function documentLevel(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  if (!doc.servers?.length) problems.push('document: no servers (say where the API is served)');
  for (const tag of doc.tags ?? [])
    if (!tag.description?.trim()) problems.push(`document: tag ${tag.name} has no description`);
  problems.push(...securityProblems(doc, 'document (default security)', doc.security));
  return problems;
}

function securityProblems(doc: OpenApiDocument, label: string, requirements: Operation['security']): string[] {
  const schemes = doc.components?.securitySchemes ?? {};
  return (requirements ?? []).flatMap((req) =>
    Object.keys(req)
      .filter((name) => !(name in schemes))
      .map((name) => `${label}: security requirement ${name} names no security scheme (components.securitySchemes)`),
  );
}

function operationProblems(doc: OpenApiDocument, o: ReturnType<typeof operationsOf>[number]): string[] {
  const { op, label } = o;
  const problems: string[] = [];
  if (!op.operationId?.trim()) problems.push(`${label}: no operationId`);
  if (!op.summary?.trim()) problems.push(`${label}: no summary`);
  if (!op.tags?.length) problems.push(`${label}: no tags`);
  const declared = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
  for (const tag of op.tags ?? [])
    if (!declared.has(tag)) problems.push(`${label}: tag ${tag} is not declared in the document's tags`);
  problems.push(...securityProblems(doc, label, op.security));

  const params = [...(o.pathParameters ?? []), ...(op.parameters ?? [])]
    .map((p) => deref<Parameter>(doc, p))
    .filter((p): p is Parameter => p !== undefined);
  const inPath = params.filter((p) => p.in === 'path');
  for (const p of inPath) {
    if (p.required !== true) problems.push(`${label}: path parameter ${p.name} is not required`);
    if (!o.path.includes(`{${p.name}}`)) problems.push(`${label}: path parameter ${p.name} is not in the path`);
  }
  for (const [, name] of o.path.matchAll(/\{([^}]+)\}/g))
    if (!inPath.some((p) => p.name === name)) problems.push(`${label}: path parameter ${name} is not declared`);

  if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${label}: no responses`);
  const body = deref<{ content?: Record<string, MediaType> }>(doc, op.requestBody as { $ref: string });
  for (const [type, media] of Object.entries(body?.content ?? {}))
    if (isAnything(doc, media.schema)) problems.push(`${label}: request body (${type}) is typed {} (any JSON)`);
  for (const [status, raw] of Object.entries(op.responses ?? {})) {
    const response = deref<{ content?: Record<string, MediaType> }>(doc, raw as { $ref: string });
    for (const [type, media] of Object.entries(response?.content ?? {}))
      if (type.includes('json') && isAnything(doc, media.schema))
        problems.push(`${label}: response ${status} (${type}) is typed {} (any JSON); give it its real schema`);
  }
  return problems;
}

/** A schema that accepts any JSON: `{}`, `true`, or a `$ref` to one (what `z.any()`/`z.unknown()` produce). */
function isAnything(doc: OpenApiDocument, schema: unknown): boolean {
  const s = deref<unknown>(doc, schema as { $ref: string });
  if (s === true || s === undefined) return true;
  if (typeof s !== 'object' || s === null) return false;
  const constraining = Object.keys(s).filter((k) => !['description', 'title', 'example', 'examples'].includes(k));
  return constraining.length === 0;
}

function duplicateOperationIds(doc: OpenApiDocument): string[] {
  const byId = new Map<string, string[]>();
  for (const o of operationsOf(doc))
    if (o.op.operationId) byId.set(o.op.operationId, [...(byId.get(o.op.operationId) ?? []), o.label]);
  return [...byId]
    .filter(([, labels]) => labels.length > 1)
    .map(([id, labels]) => `${labels.join(', ')}: operationId ${id} is used ${labels.length} times`);
}

/** Keywords whose values are subschemas (one, a list, or a map of them). */
const SUBSCHEMA_ONE = ['items', 'not', 'additionalProperties', 'contains', 'if', 'then', 'else', 'propertyNames'];
const SUBSCHEMA_LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMA_MAP = ['properties', 'patternProperties', '$defs', 'dependentSchemas'];

type Visitor = {
  /** Each schema of the document (components and inline), with its JSON pointer. */
  schema?: (schema: Record<string, unknown>, pointer: string) => void;
  /** Each parameter, header or media type that has a schema, with its schema's pointer. */
  holder?: (holder: MediaType, schemaPointer: string) => void;
};

/** Walks every schema of the document: the components' and those of parameters, bodies, responses and headers. */
function walkSchemas(doc: OpenApiDocument, visit: Visitor): void {
  const visited = new Set<string>();
  const walkSchema = (schema: unknown, pointer: string) => {
    if (!schema || typeof schema !== 'object' || visited.has(pointer)) return;
    visited.add(pointer);
    const s = schema as Record<string, unknown>;
    visit.schema?.(s, pointer);
    for (const k of SUBSCHEMA_ONE) if (k in s) walkSchema(s[k], `${pointer}/${k}`);
    for (const k of SUBSCHEMA_LIST)
      if (Array.isArray(s[k]))
        for (const [i, x] of (s[k] as unknown[]).entries()) walkSchema(x, `${pointer}/${k}/${i}`);
    for (const k of SUBSCHEMA_MAP)
      for (const [name, x] of Object.entries((s[k] as Record<string, unknown>) ?? {}))
        walkSchema(x, `${pointer}/${k}/${pointerSegment(name)}`);
  };
  const walkHolder = (holder: unknown, pointer: string) => {
    const h = holder as MediaType | undefined;
    if (!h || typeof h !== 'object' || '$ref' in h || !h.schema) return;
    visit.holder?.(h, `${pointer}/schema`);
    walkSchema(h.schema, `${pointer}/schema`);
  };
  const walkContent = (content: unknown, pointer: string) => {
    for (const [type, media] of Object.entries((content as Record<string, unknown>) ?? {}))
      walkHolder(media, `${pointer}/content/${pointerSegment(type)}`);
  };

  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {}))
    walkSchema(schema, `/components/schemas/${pointerSegment(name)}`);
  for (const o of operationsOf(doc)) {
    for (const [i, p] of (o.op.parameters ?? []).entries()) walkHolder(p, `${o.pointer}/parameters/${i}`);
    const body = o.op.requestBody as { content?: unknown } | undefined;
    if (body && !('$ref' in body)) walkContent(body.content, `${o.pointer}/requestBody`);
    for (const [status, response] of Object.entries(o.op.responses ?? {})) {
      const r = response as { content?: unknown; headers?: Record<string, unknown> };
      if ('$ref' in r) continue;
      const rp = `${o.pointer}/responses/${status}`;
      walkContent(r.content, rp);
      for (const [h, header] of Object.entries(r.headers ?? {}))
        walkHolder(header, `${rp}/headers/${pointerSegment(h)}`);
    }
  }
}

/** Every `example`/`examples` of the document (of schemas, parameters, media types) checked against its schema. */
function exampleProblems(doc: OpenApiDocument): string[] {
  const schemas = new DocumentSchemas(doc);
  const problems: string[] = [];
  const check = (schemaPointer: string, value: unknown, what: string) => {
    for (const p of schemas.problems(schemaPointer, value))
      problems.push(`${where(schemaPointer)} ${what} ${JSON.stringify(value)} fails its schema: ${p}`);
  };
  walkSchemas(doc, {
    schema(s, pointer) {
      if ('example' in s) check(pointer, s.example, 'example');
      if (Array.isArray(s.examples)) for (const [i, e] of s.examples.entries()) check(pointer, e, `examples[${i}]`);
    },
    holder(h, schemaPointer) {
      if ('example' in h) check(schemaPointer, h.example, 'example');
      for (const [name, ex] of Object.entries(h.examples ?? {})) {
        const value = deref<{ value?: unknown }>(doc, ex as { $ref: string });
        if (value && 'value' in value) check(schemaPointer, value.value, `example ${name}`);
      }
    },
  });
  return problems;
}

const allowsNull = (s: unknown) => {
  const type = (s as { type?: unknown } | undefined)?.type;
  return type === 'null' || (Array.isArray(type) && type.includes('null'));
};

/**
 * `.nullable()` on a registered zod schema, as the generator renders it: a component nullable at its root (every use
 * of it then accepts null), or `allOf: [$ref, {type: [..., null]}]` (which can never be null). `orNull(schema)` in
 * core/http/openapi.ts says it right: `anyOf: [$ref, {type: null}]`.
 */
function nullableReferenceProblems(doc: OpenApiDocument): string[] {
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {}))
    if (allowsNull(schema))
      problems.push(
        `components/schemas/${name}: the component itself accepts null (a .nullable() use leaked into it); use orNull(${name}) where null is meant`,
      );
  walkSchemas(doc, {
    schema(s, pointer) {
      const parts = Array.isArray(s.allOf) ? (s.allOf as unknown[]) : [];
      const ref = parts.find((x) => typeof x === 'object' && x !== null && '$ref' in x) as { $ref: string } | undefined;
      if (ref && parts.some(allowsNull))
        problems.push(
          `${where(pointer)} is meant to be nullable but can never be null (allOf with ${ref.$ref}); use orNull(…)`,
        );
    },
  });
  return problems;
}
