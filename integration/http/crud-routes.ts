import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { defineRoute, type ErrorStatus, json, jsonBody, Ok } from '../../core/http/openapi.ts';
import { assertOwnOrganization, type IntegrationEnv, type Role, requireRole } from './app.ts';

/**
 * The five routes of a collection an organization owns (`/organizations/{orgId}/<collection>[/{id}]`): list, get,
 * create (201), update (PATCH, fields left out keep their value) and delete. Every route states its operationId
 * (`<name>.list` …), tag, summary and the errors it answers: 403 (role or organization), 404 (the organization or
 * the item), 409 where the repository can refuse a conflict, and what the request's shape implies (400, 415, 422).
 */

/** The session's organization must be the one in the path (403 FORBIDDEN_ORGANIZATION otherwise). */
const ownOrganization: MiddlewareHandler<IntegrationEnv> = async (c, next) => {
  assertOwnOrganization(c.var.session, c.req.param('orgId') ?? '');
  await next();
};

/** Who may call a route of an organization: these roles, and only in their own organization. */
export const orgAccess = (...roles: Role[]): MiddlewareHandler<IntegrationEnv>[] => [
  requireRole(...roles),
  ownOrganization,
];
/** Configuration: the organization's administrators. */
export const orgAdmin = orgAccess('admin');
/** Reading what agents need (pauses, tags): every role of the organization. */
export const orgMember = orgAccess('agent', 'supervisor', 'admin');

export type Repository<T, C, U, Q> = {
  list(orgId: string, query: Q): T[];
  get(orgId: string, id: string): T;
  create(orgId: string, input: C): T | Promise<T>;
  update(orgId: string, id: string, patch: U): T | Promise<T>;
  delete(orgId: string, id: string): void;
};

export type CrudOptions<
  I extends string,
  T extends z.ZodType,
  C extends z.ZodType,
  U extends z.ZodType,
  Q extends z.ZodObject,
> = {
  /** Path segment after `/organizations/{orgId}/`, e.g. 'users'; also the operationId prefix. */
  collection: string;
  /** The item's path parameter, e.g. 'userId'. */
  idParam: I;
  /** The OpenAPI tag (Omni's menu name: Usuários, Serviços…). */
  tag: string;
  schemas: { item: T; create: C; update: U; listQuery?: Q };
  summaries: Record<'list' | 'get' | 'create' | 'update' | 'delete', string>;
  /** Role checks for reads and for writes. */
  access: { read: MiddlewareHandler<IntegrationEnv>[]; write: MiddlewareHandler<IntegrationEnv>[] };
  /** Which writes can answer 409 (a taken natural key, the last admin, a tag in use…). */
  conflicts: Array<'create' | 'update' | 'delete'>;
  repository: Repository<z.infer<T>, z.infer<C>, z.infer<U>, z.infer<Q>>;
};

/** Registers the collection's five routes on `app`. */
export function crudRoutes<
  I extends string,
  T extends z.ZodType,
  C extends z.ZodType,
  U extends z.ZodType,
  Q extends z.ZodObject,
>(app: OpenAPIHono<IntegrationEnv>, o: CrudOptions<I, T, C, U, Q>): void {
  const { collection, idParam, tag, schemas, summaries, access, repository: repo } = o;
  const base = `/organizations/{orgId}/${collection}`;
  const one = `${base}/{${idParam}}`;
  const OrgParams = orgParams();
  const ItemParams = OrgParams.extend({ [idParam]: pathId(idParam) }) as unknown as z.ZodObject<
    Record<'orgId' | I, z.ZodString>
  >;
  const errors = (op: 'create' | 'update' | 'delete' | 'read'): ErrorStatus[] =>
    op !== 'read' && o.conflicts.includes(op) ? [403, 404, 409] : [403, 404];
  const idOf = (c: { req: { param(name: string): string | undefined } }) => c.req.param(idParam) ?? '';
  // The handlers are generic over the collection's schemas; Hono's typed responses cannot follow that, hence `never`.
  const register = app.openapi.bind(app) as unknown as (route: unknown, handler: (c: Ctx) => unknown) => void;

  register(
    defineRoute(
      {
        method: 'get',
        path: base,
        operationId: `${collection}.list`,
        tags: [tag],
        summary: summaries.list,
        middleware: access.read,
        request: { params: OrgParams, ...(schemas.listQuery ? { query: schemas.listQuery } : {}) },
        responses: { 200: json(arrayOf(schemas.item), collection) },
      },
      { errors: errors('read') },
    ),
    (c: Ctx) => c.json(repo.list(c.req.param('orgId'), (schemas.listQuery ? c.req.valid('query') : {}) as never), 200),
  );

  register(
    defineRoute(
      {
        method: 'post',
        path: base,
        operationId: `${collection}.create`,
        tags: [tag],
        summary: summaries.create,
        middleware: access.write,
        request: { params: OrgParams, ...jsonBody(schemas.create) },
        responses: { 201: json(schemas.item, 'created') },
      },
      { errors: errors('create') },
    ),
    async (c: Ctx) => c.json(await repo.create(c.req.param('orgId'), c.req.valid('json') as never), 201),
  );

  register(
    defineRoute(
      {
        method: 'get',
        path: one,
        operationId: `${collection}.get`,
        tags: [tag],
        summary: summaries.get,
        middleware: access.read,
        request: { params: ItemParams },
        responses: { 200: json(schemas.item, 'the item') },
      },
      { errors: errors('read') },
    ),
    (c: Ctx) => c.json(repo.get(c.req.param('orgId'), idOf(c)), 200),
  );

  register(
    defineRoute(
      {
        method: 'patch',
        path: one,
        operationId: `${collection}.update`,
        tags: [tag],
        summary: summaries.update,
        middleware: access.write,
        request: { params: ItemParams, ...jsonBody(schemas.update) },
        responses: { 200: json(schemas.item, 'updated') },
      },
      { errors: errors('update') },
    ),
    async (c: Ctx) => c.json(await repo.update(c.req.param('orgId'), idOf(c), c.req.valid('json') as never), 200),
  );

  register(
    defineRoute(
      {
        method: 'delete',
        path: one,
        operationId: `${collection}.delete`,
        tags: [tag],
        summary: summaries.delete,
        middleware: access.write,
        request: { params: ItemParams },
        responses: { 200: json(Ok, 'deleted') },
      },
      { errors: errors('delete') },
    ),
    (c: Ctx) => {
      repo.delete(c.req.param('orgId'), idOf(c));
      return c.json({ ok: true as const }, 200);
    },
  );
}

type Ctx = {
  req: { param(name: string): string; valid(target: 'json' | 'query'): unknown };
  json(body: unknown, status: number): Response;
};

const arrayOf = (item: z.ZodType) => z.array(item);

/** A path parameter naming an entity: a required, non-empty string in the document (ids are UUIDs or slugs). */
export const pathId = (name: string) =>
  z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name, in: 'path', required: true } });

/** `{ orgId }` as the path carries it. */
export const orgParams = () => z.object({ orgId: pathId('orgId').openapi({ example: 'acme' }) });
