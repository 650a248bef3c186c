import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ErrorBody } from '../../contract/errors.ts';
import { notFound } from '../../core/errors.ts';
import { json, jsonBody } from '../../core/http/openapi.ts';
import { openApiApp } from '../../core/http/validation.ts';
import type { FaultInjector } from './injector.ts';
import { FaultRule, FaultRuleInput, FaultRuleList } from './schema.ts';

const tags = ['admin: faults'];
const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'fault-1' }),
});
const Removed = z.object({ removed: z.number().int() }).openapi('FaultsRemoved');

const listFaults = createRoute({
  method: 'get',
  path: '/faults',
  tags,
  summary: 'Fault rules, oldest (highest precedence) first',
  responses: { 200: json(FaultRuleList, 'the rules') },
});

const addFault = createRoute({
  method: 'post',
  path: '/faults',
  tags,
  summary: 'Adds a fault rule; among rules matching a request, the first added decides',
  request: jsonBody(FaultRuleInput),
  responses: { 201: json(FaultRule, 'the rule as stored'), 422: json(ErrorBody, 'invalid rule') },
});

const removeFault = createRoute({
  method: 'delete',
  path: '/faults/{id}',
  tags,
  summary: 'Removes one fault rule',
  request: { params: IdParam },
  responses: { 204: { description: 'removed' }, 404: json(ErrorBody, 'no rule has this id (FAULT_NOT_FOUND)') },
});

const clearFaults = createRoute({
  method: 'delete',
  path: '/faults',
  tags,
  summary: 'Removes every fault rule',
  responses: { 200: json(Removed, 'how many rules were removed') },
});

/** The fault control API; the simulator mounts it under /__admin (and authenticates it). */
export function faultAdminRoutes(injector: FaultInjector): OpenAPIHono {
  const app = openApiApp();
  app.openapi(listFaults, (c) => c.json({ faults: injector.list() }, 200));
  app.openapi(addFault, (c) => c.json(injector.add(c.req.valid('json')), 201));
  app.openapi(removeFault, (c) => {
    const { id } = c.req.valid('param');
    if (!injector.remove(id)) return c.json(notFound('fault', id, 'FAULT_NOT_FOUND').toBody(), 404);
    return c.body(null, 204);
  });
  app.openapi(clearFaults, (c) => c.json({ removed: injector.clear() }, 200));
  return app;
}
