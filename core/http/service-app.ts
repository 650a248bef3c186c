import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from '../log.ts';
import { docsPage } from './docs.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
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
  links?: Record<string, string>;
}) {
  const app = new OpenAPIHono({ defaultHook });
  app.onError(errorHandler(o.log));
  app.notFound(notFoundHandler);
  app.get('/', (c) => c.json({ name: o.name, api: '/api/v1', docs: '/docs', openapi: '/openapi.json', ...o.links }));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/', docsPage(o.title, '/openapi.json'));
  for (const [name, scheme] of Object.entries(o.security))
    app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: { title: o.title, version: '1.0.0', description: o.description },
    // The origin the document was fetched from: "try it out" and generated clients call this server.
    servers: [{ url: new URL(c.req.url).origin, description: 'this server' }],
    security: o.defaultSecurity.map((name) => ({ [name]: [] })),
    ...(o.tags ? { tags: o.tags } : {}),
  }));
  return app;
}
