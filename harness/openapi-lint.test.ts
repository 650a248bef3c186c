import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { defineRoute, json, orNull } from '../core/http/openapi.ts';
import type { OpenApiDocument } from './openapi-ajv.ts';
import { openApiProblems } from './openapi-lint.ts';

const Thing = z.object({ id: z.string(), size: z.number().int() }).openapi('Thing');

/** The document of an app's routes as the services publish theirs (servers, a scheme, declared tags). */
function documentOf(app: OpenAPIHono, extra: Partial<OpenApiDocument> = {}): OpenApiDocument {
  app.openAPIRegistry.registerComponent('securitySchemes', 'key', { type: 'apiKey', in: 'header', name: 'X-Key' });
  return {
    ...app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'things', version: '1' },
      servers: [{ url: 'https://127.0.0.1:1' }],
      security: [{ key: [] }],
      tags: [{ name: 'Things', description: 'the things' }],
    }),
    ...extra,
  } as OpenApiDocument;
}

const route = (config: Record<string, unknown>) =>
  createRoute({
    method: 'get',
    path: '/things',
    responses: { 200: json(z.array(Thing), 'the things') },
    ...config,
  } as Parameters<typeof createRoute>[0]);

describe('openApiProblems', () => {
  it('finds nothing wrong with a complete document', async () => {
    const app = new OpenAPIHono();
    app.openapi(
      defineRoute({
        method: 'get',
        path: '/things/{id}',
        operationId: 'getThing',
        tags: ['Things'],
        summary: 'One thing',
        request: { params: z.object({ id: z.string().openapi({ example: 't-1' }) }) },
        responses: { 200: json(Thing.openapi({ example: { id: 't-1', size: 2 } }), 'the thing') },
      }),
      (c) => c.json({ id: 't-1', size: 2 }, 200),
    );
    expect(await openApiProblems(documentOf(app))).toEqual([]);
  });

  it('names each operation without an operationId, a summary or a declared tag', async () => {
    const app = new OpenAPIHono();
    app.openapi(route({ tags: ['Coisas'] }), (c) => c.json([], 200));
    expect(await openApiProblems(documentOf(app))).toEqual([
      'GET /things: no operationId',
      'GET /things: no summary',
      "GET /things: tag Coisas is not declared in the document's tags",
    ]);
  });

  it('names a path parameter that is not required, as the standard validator does', async () => {
    const app = new OpenAPIHono();
    // z.coerce makes the parameter optional (integer or null): how the published documents got it wrong.
    const params = z.object({ id: z.coerce.number().int() });
    app.openapi(
      route({ path: '/things/{id}', operationId: 'getThing', summary: 's', tags: ['Things'], request: { params } }),
      (c) => c.json([], 200),
    );
    const problems = await openApiProblems(documentOf(app));
    expect(problems).toContain('GET /things/{id}: path parameter id is not required');
    expect(problems).toContain('OpenAPI 3.1 schema: GET /things/{id}: parameters/0/required must be equal to constant');
  });

  it('names an example that fails its own schema, with where it is', async () => {
    const app = new OpenAPIHono();
    const Key = z.object({ key: z.string().min(8).openapi({ example: 'dsk_…' }) }).openapi('Key');
    app.openapi(
      route({ operationId: 'listThings', summary: 's', tags: ['Things'], responses: { 200: json(Key, 'k') } }),
      (c) => c.json({ key: 'dsk_12345678' }, 200),
    );
    expect(await openApiProblems(documentOf(app))).toEqual([
      'components/schemas/Key/properties/key: example "dsk_…" fails its schema: (root) must NOT have fewer than 8 characters',
    ]);
  });

  it('names a response typed {} where the service answers a known shape', async () => {
    const app = new OpenAPIHono();
    app.openapi(
      route({
        operationId: 'me',
        summary: 's',
        tags: ['Things'],
        responses: { 200: json(z.any().openapi('Me'), 'me') },
      }),
      (c) => c.json({}, 200),
    );
    expect(await openApiProblems(documentOf(app))).toEqual([
      'GET /things: response 200 (application/json) is typed {} (any JSON); give it its real schema',
    ]);
  });

  it('names a missing servers list, a requirement of no scheme and an operationId used twice', async () => {
    const app = new OpenAPIHono();
    const ok = { summary: 's', tags: ['Things'], operationId: 'things' };
    app.openapi(route({ ...ok, security: [{ token: [] }] }), (c) => c.json([], 200));
    app.openapi(route({ ...ok, method: 'post' }), (c) => c.json([], 200));
    expect(await openApiProblems(documentOf(app, { servers: [] }))).toEqual([
      'document: no servers (say where the API is served)',
      'GET /things: security requirement token names no security scheme (components.securitySchemes)',
      'GET /things, POST /things: operationId things is used 2 times',
    ]);
  });

  it('names a nullable reference the generator got wrong, and accepts orNull', async () => {
    const app = new OpenAPIHono();
    const Link = z.object({ status: z.string() }).openapi('Link');
    const Row = z.object({ link: Link, previous: Link.nullable(), next: orNull(Link) }).openapi('Row');
    app.openapi(
      route({ operationId: 'rows', summary: 's', tags: ['Things'], responses: { 200: json(Row, 'r') } }),
      (c) => c.json({ link: { status: 'ok' }, previous: null, next: null }, 200),
    );
    expect(await openApiProblems(documentOf(app))).toEqual([
      'components/schemas/Row/properties/previous: is meant to be nullable but can never be null (allOf with #/components/schemas/Link); use orNull(…)',
    ]);
  });
});
