import { createRoute, z } from '@hono/zod-openapi';
import { Agv, AgvBehaviour, Extension, Organization, PauseEntry } from '../../contract/organizations.ts';
import { errors, json, jsonBody, Ok } from '../../core/http/openapi.ts';
import { dialerRouter } from '../http/app.ts';
import type { OrganizationRepository } from './repository.ts';

const tags = ['Organization'];

/** The organization's dialer-side configuration: pause catalogue and AGVs (agents live in agents/routes.ts). */
export function organizationRoutes(orgs: OrganizationRepository) {
  const app = dialerRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organization',
      tags,
      summary: 'The organization of this dialer key, with its catalogue, AGVs and agents',
      responses: { 200: json(Organization, 'the organization'), 401: errors[401] },
    }),
    (c) => c.json(orgs.get(c.var.orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/pauses',
      tags,
      summary: 'The pause catalogue (name + idStatus); LOGIN is a system pause',
      responses: { 200: json(z.array(PauseEntry), 'the catalogue'), 401: errors[401] },
    }),
    (c) => c.json(orgs.pauses(c.var.orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/pauses',
      tags,
      summary: 'Replaces the pause catalogue (LOGIN is kept)',
      request: jsonBody(z.array(PauseEntry)),
      responses: {
        200: json(z.array(PauseEntry), 'the new catalogue'),
        401: errors[401],
        409: errors[409],
        422: errors[422],
      },
    }),
    (c) => c.json(orgs.replacePauses(c.var.orgId, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/pauses',
      tags,
      summary: 'Adds a pause',
      request: jsonBody(PauseEntry),
      responses: { 201: json(PauseEntry, 'added'), 401: errors[401], 409: errors[409], 422: errors[422] },
    }),
    (c) => c.json(orgs.addPause(c.var.orgId, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/pauses/{idStatus}',
      tags,
      summary: 'Removes a pause',
      request: { params: z.object({ idStatus: z.coerce.number().int() }) },
      responses: { 200: json(Ok, 'removed'), 401: errors[401], 409: errors[409], 422: errors[422] },
    }),
    (c) => {
      orgs.deletePause(c.var.orgId, c.req.valid('param').idStatus);
      return c.json({ ok: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/agvs',
      tags,
      summary: 'Virtual agents (AGV) on extensions',
      responses: { 200: json(z.array(Agv), 'the AGVs'), 401: errors[401] },
    }),
    (c) => c.json(orgs.agvs(c.var.orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/agvs/{extension}',
      tags,
      summary: 'Creates or updates the AGV on an extension',
      request: {
        params: z.object({ extension: Extension }),
        ...jsonBody(z.object({ name: z.string().trim().min(1).max(80), behaviour: AgvBehaviour.optional() })),
      },
      responses: { 200: json(Agv, 'the AGV'), 401: errors[401], 409: errors[409], 422: errors[422] },
    }),
    (c) => {
      const { extension } = c.req.valid('param');
      const body = c.req.valid('json');
      const agv = Agv.parse({ extension, ...body });
      return c.json(orgs.putAgv(c.var.orgId, agv), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/agvs/{extension}',
      tags,
      summary: 'Removes an AGV',
      request: { params: z.object({ extension: Extension }) },
      responses: { 200: json(Ok, 'removed'), 401: errors[401], 404: errors[404] },
    }),
    (c) => {
      orgs.deleteAgv(c.var.orgId, c.req.valid('param').extension);
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
