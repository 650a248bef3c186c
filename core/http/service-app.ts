import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Logger } from '../log.ts';
import { docsPage } from './docs.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { defineRoute, json, Ok } from './openapi.ts';
import { defaultHook } from './validation.ts';

export type SecurityScheme =
  | { type: 'apiKey'; in: 'header'; name: string; description?: string }
  | { type: 'http'; scheme: 'bearer'; description?: string };

/**
 * The root app of an HTTPS service: coded errors, an index, /healthz, the OpenAPI document at /openapi.json of every
 * route mounted on it, and a docs page. Mount the service's routers on the returned app.
 *
 * `security` lists the schemes; `defaultSecurity` the alternatives that apply to a route that states none (each
 * entry one way to authenticate, e.g. the key in a header or as a bearer token).
 */
export function serviceApp(o: {
  log: Logger;
  name: string;
  title: string;
  description: string;
  security: Record<string, SecurityScheme>;
  defaultSecurity: string[];
  tags?: Array<{ name: string; description: string }>;
  /** The tag of the index and the health check (default `Service`). */
  serviceTag?: string;
  links?: Record<string, string>;
}) {
  const serviceTag = { name: o.serviceTag ?? 'Service', description: 'this server: its index and health check' };
  const app = new OpenAPIHono({ defaultHook });
  // First, so it wraps every route mounted later, errors and 404s included.
  app.onError(errorHandler(o.log));
  app.notFound(notFoundHandler);
  // Documented (public, no credential): load balancers and clients find them in the document like any route.
  app.openapi(serviceIndexRoute(serviceTag.name), (c) =>
    c.json({ name: o.name, api: '/api/v1', docs: '/docs', openapi: '/openapi.json', ...o.links }, 200),
  );
  app.openapi(healthRoute(serviceTag.name), (c) => c.json({ ok: true as const }, 200));
  app.route('/', docsPage(o.title, '/openapi.json'));
  for (const [name, scheme] of Object.entries(o.security))
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: { title: o.title, version: '1.0.0', description: o.description },
    // The origin the document was fetched from: "try it out" and generated clients call this server.
    servers: [{ url: new URL(c.req.url).origin, description: 'this server' }],
    security: o.defaultSecurity.map((name) => ({ [name]: [] })),
    tags: [serviceTag, ...(o.tags ?? [])],
  }));
  return app;
}

const ServiceIndex = z
  .object({ name: z.string(), api: z.string(), docs: z.string(), openapi: z.string() })
  .catchall(z.string())
  .openapi('ServiceIndex', { description: 'where the API, its docs page and its document are (and other links)' });

const serviceIndexRoute = (tag: string) =>
  defineRoute(
    {
      operationId: 'service.index',
      method: 'get',
      path: '/',
      tags: [tag],
      summary: 'What this server is and where its API, docs and OpenAPI document are',
      responses: { 200: json(ServiceIndex, 'the index') },
    },
    { auth: false },
  );

const healthRoute = (tag: string) =>
  defineRoute(
    {
      operationId: 'service.health',
      method: 'get',
      path: '/healthz',
      tags: [tag],
      summary: 'Health check: 200 while the server answers',
      responses: { 200: json(Ok, 'up') },
    },
    { auth: false },
  );
