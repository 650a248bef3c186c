import type { OpenAPIHono } from '@hono/zod-openapi';
import { controlRoutes as routes } from '../../contract/dialer/control/routes.ts';
import { notFound } from '../../core/errors.ts';
import { openApiApp } from '../../core/http/validation.ts';
import type { FaultInjector } from './injector.ts';

/** The fault control API; the simulator mounts it under /__admin (and authenticates it). */
export function faultAdminRoutes(injector: FaultInjector): OpenAPIHono {
  const app = openApiApp();
  app.openapi(routes['control.faults.list'], (c) => c.json({ faults: injector.list() }, 200));
  app.openapi(routes['control.faults.add'], (c) => c.json(injector.add(c.req.valid('json')), 201));
  app.openapi(routes['control.faults.remove'], (c) => {
    const { id } = c.req.valid('param');
    if (!injector.remove(id)) return c.json(notFound('fault', id, 'FAULT_NOT_FOUND').toBody(), 404);
    return c.body(null, 204);
  });
  app.openapi(routes['control.faults.clear'], (c) => c.json({ removed: injector.clear() }, 200));
  return app;
}
