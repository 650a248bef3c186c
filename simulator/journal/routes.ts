import type { OpenAPIHono } from '@hono/zod-openapi';
import { controlRoutes as routes } from '../../contract/dialer/control/routes.ts';
import { openApiApp } from '../../core/http/validation.ts';
import type { Journal } from './journal.ts';

/** The journal control API; the simulator mounts it under /__admin (and authenticates it). */
export function journalAdminRoutes(journal: Journal): OpenAPIHono {
  const app = openApiApp();
  app.openapi(routes['control.requests.list'], (c) =>
    c.json({ requests: journal.list(c.req.valid('query')), dropped: journal.dropped, lastSeq: journal.lastSeq }, 200),
  );
  app.openapi(routes['control.requests.clear'], (c) => c.json({ removed: journal.clear() }, 200));
  app.openapi(routes['control.requests.verify'], (c) => c.json(journal.verify(c.req.valid('json')), 200));
  return app;
}
