import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from '../log.ts';
import { docsPage } from './docs.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { defaultHook } from './validation.ts';

type SecurityScheme = { type: 'apiKey'; in: 'header'; name: string } | { type: 'http'; scheme: 'bearer' };

/**
 * The root app of an HTTPS service: coded errors, an index, /healthz, the OpenAPI document at /openapi.json of every
 * route mounted on it, and a docs page. Mount the service's routers on the returned app.
 */
export function serviceApp(o: {
  log: Logger;
  name: string;
  title: string;
  description: string;
  security: { name: string; scheme: SecurityScheme };
  links?: Record<string, string>;
}) {
  const app = new OpenAPIHono({ defaultHook });
  app.onError(errorHandler(o.log));
  app.notFound(notFoundHandler);
  app.get('/', (c) => c.json({ name: o.name, api: '/api/v1', docs: '/docs', openapi: '/openapi.json', ...o.links }));
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.route('/', docsPage(o.title, '/openapi.json'));
  app.openAPIRegistry.registerComponent('securitySchemes', o.security.name, o.security.scheme);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: o.title, version: '1.0.0', description: o.description },
    security: [{ [o.security.name]: [] }],
  });
  return app;
}
