import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import { ErrorBody } from './error-body.ts';

/** JSON body/response helpers for createRoute, so each route states only what is particular to it. */
export const jsonBody = <T extends z.ZodTypeAny>(schema: T, description = 'request body') => ({
  body: { content: { 'application/json': { schema } }, description, required: true },
});

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** The error statuses either service answers with the shared error body. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502 | 503 | 504;

/** What each error status means on every route of both services (a route may say more in its own description). */
export const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'MALFORMED_JSON: the body is not valid JSON',
  401: 'not authenticated: the credential is missing, wrong or expired (see the security schemes)',
  403: 'not allowed: the caller’s role or organization may not do this',
  404: 'not found (the code names what: CALL_NOT_FOUND, AGENT_NOT_FOUND…)',
  409: 'conflicts with the current state (the code and details say which)',
  413: 'BODY_TOO_LARGE: the body is over the limit',
  415: 'UNSUPPORTED_MEDIA_TYPE: send the body as application/json',
  422: 'VALIDATION_FAILED: invalid input; details.issues lists each problem with its path',
  429: 'too many attempts; the Retry-After header says in how many seconds to try again',
  502: 'the dialer answered something unusable, or presented another certificate',
  503: 'the dialer is unreachable',
  504: 'the dialer did not answer in time',
};

/** The shared error body for each status, with its description. */
export function errorResponses(...statuses: ErrorStatus[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, json(ErrorBody, ERROR_DESCRIPTIONS[s])] as const),
  ) as unknown as Record<ErrorStatus, ReturnType<typeof json<typeof ErrorBody>>>;
}

export type RouteOptions = {
  /** false for a route anyone may call (no security requirement, no 401). Default: authenticated. */
  auth?: boolean;
  /** Errors particular to this route (404, 409, 403…); the ones any route of its shape can answer are added. */
  errors?: ErrorStatus[];
};

type RouteDefinition<P extends string> = Omit<RouteConfig, 'path'> & {
  path: P;
  /** The route's id: stable, unique in its service, used by clients, journals and scenarios to name it. */
  operationId: string;
  tags: string[];
  summary: string;
};

/** The error statuses a route can answer by its shape alone: an unreadable or invalid request, no credential. */
function shapeErrors(config: RouteConfig, opts: RouteOptions): ErrorStatus[] {
  const req = config.request;
  const statuses = new Set<ErrorStatus>(opts.errors ?? []);
  const hasJsonBody = Boolean(req?.body && 'content' in req.body && req.body.content?.['application/json']);
  if (hasJsonBody) {
    statuses.add(400);
    statuses.add(415);
  }
  if (hasJsonBody || req?.params || req?.query || req?.headers) statuses.add(422);
  if (opts.auth !== false) statuses.add(401);
  return [...statuses].sort((a, b) => a - b);
}

/**
 * A route of a service's table: `createRoute` plus what every route must state (an operationId, tags, a summary) and
 * every error it can answer: those listed in `opts.errors`, and those its shape implies (400/415 for a JSON body, 422
 * for any validated input, 401 unless `auth: false`). Public routes get `security: []`.
 */
export function defineRoute<P extends string, R extends RouteDefinition<P>>(config: R, opts: RouteOptions = {}) {
  return createRoute({
    ...config,
    ...(opts.auth === false ? { security: [] } : {}),
    responses: { ...errorResponses(...shapeErrors(config, opts)), ...config.responses },
  } as R);
}

export const Ok = z.object({ ok: z.literal(true) }).openapi('Ok');

/**
 * A registered schema (one with `.openapi('Name')`) or null. Use it instead of `.nullable()` on such a schema: the
 * generator renders that as the bare `$ref` (null refused) or makes the component itself nullable everywhere.
 */
export const orNull = <T extends z.ZodTypeAny>(schema: T) => z.union([schema, z.null()]);
