import type { z } from '@hono/zod-openapi';
import { toValidationIssues, type ValidationIssue } from '../../core/http/validation.ts';
import { expandPath } from './route-table.ts';

/**
 * A call of a route of a table, typed from its definition: what goes in (path parameters, query, JSON body) and what a
 * success answer carries. Clients (Omni's dialer client, the harness, the scenario runner) build requests and read
 * answers through these instead of writing paths and shapes again.
 */

type JsonSchemaOf<C> = C extends { content: { 'application/json': { schema: infer S extends z.ZodType } } } ? S : never;
type RequestOf<R> = R extends { request: infer Q } ? Q : Record<string, never>;

/** A value on the wire (a path or query parameter): what the schema reads from a string, or a number for it. */
type Wire<T> = T extends string ? string | number : T;
type WireObject<T> = { [K in keyof T]: Wire<T[K]> };

export type RouteParams<R> =
  RequestOf<R> extends { params: infer P extends z.ZodType } ? WireObject<z.input<P>> : undefined;
export type RouteQuery<R> =
  RequestOf<R> extends { query: infer P extends z.ZodType } ? Partial<WireObject<z.input<P>>> : undefined;
export type RouteBody<R> = RequestOf<R> extends { body: infer B } ? z.input<JsonSchemaOf<B>> : undefined;

type SuccessStatus = 200 | 201 | 202 | 204;
type Responses<R> = R extends { responses: infer Rs } ? Rs : never;
/** The JSON body of any success answer the route documents (undefined for one without a JSON body). */
export type RouteResult<R> = {
  [K in keyof Responses<R>]: K extends SuccessStatus
    ? [JsonSchemaOf<Responses<R>[K]>] extends [never]
      ? undefined
      : z.output<JsonSchemaOf<Responses<R>[K]>>
    : never;
}[keyof Responses<R>];

/** What a call of route R takes: each part the route has, and only those. */
export type RouteInput<R> = (RouteParams<R> extends undefined ? { params?: undefined } : { params: RouteParams<R> }) &
  (RouteQuery<R> extends undefined ? { query?: undefined } : { query?: RouteQuery<R> }) &
  (RouteBody<R> extends undefined ? { body?: undefined } : { body: RouteBody<R> });

/** The runtime shape of a route definition this module reads. */
export type RouteDefinitionLike = {
  operationId: string;
  method: string;
  path: string;
  request?: {
    params?: z.ZodType;
    query?: z.ZodType;
    headers?: z.ZodType;
    body?: { content?: Record<string, { schema?: unknown } | undefined>; required?: boolean };
  };
  responses: Record<string | number, { content?: Record<string, { schema?: unknown } | undefined> } | undefined>;
};

export class RouteInputError extends Error {
  constructor(
    readonly routeId: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`invalid input for ${routeId}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'RouteInputError';
  }
}

const stringify = (o: Record<string, unknown> | undefined) =>
  Object.fromEntries(
    Object.entries(o ?? {})
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]),
  );

/** Whether the route declares an Idempotency-Key header (so retries with one are safe). */
export function takesIdempotencyKey(route: RouteDefinitionLike): boolean {
  const shape = (route.request?.headers as { shape?: Record<string, unknown> } | undefined)?.shape;
  return Boolean(shape && 'idempotency-key' in shape);
}

/**
 * The request of a call, checked against the route's own schemas first (a caller's mistake is found here, with
 * every problem named, not as a 422 from the server): the path (template expanded, relative to the table's base,
 * with the query string) and the JSON body text.
 */
export function buildRouteRequest(
  route: RouteDefinitionLike,
  input: { params?: object | undefined; query?: object | undefined; body?: unknown },
): { method: string; path: string; body?: string } {
  const issues: ValidationIssue[] = [];
  const params = stringify(input.params as Record<string, unknown> | undefined);
  if (route.request?.params) {
    const r = route.request.params.safeParse(params);
    if (!r.success) issues.push(...toValidationIssues(r.error.issues, 'params'));
  }
  const query = stringify(input.query as Record<string, unknown> | undefined);
  if (route.request?.query) {
    const r = route.request.query.safeParse(query);
    if (!r.success) issues.push(...toValidationIssues(r.error.issues, 'query'));
  }
  let body: string | undefined;
  const bodySchema = route.request?.body?.content?.['application/json']?.schema as z.ZodType | undefined;
  if (bodySchema && (input.body !== undefined || route.request?.body?.required)) {
    const r = bodySchema.safeParse(input.body);
    if (!r.success) issues.push(...toValidationIssues(r.error.issues, 'body'));
    else body = JSON.stringify(r.data);
  }
  if (issues.length > 0) throw new RouteInputError(route.operationId, issues);
  const qs = new URLSearchParams(query).toString();
  return {
    method: route.method.toUpperCase(),
    path: `${expandPath(route.path, params)}${qs ? `?${qs}` : ''}`,
    ...(body === undefined ? {} : { body }),
  };
}

/** The schema of a status's JSON answer, if the route documents one. */
export function responseSchema(route: RouteDefinitionLike, status: number): z.ZodType | undefined {
  return route.responses[status]?.content?.['application/json']?.schema as z.ZodType | undefined;
}
