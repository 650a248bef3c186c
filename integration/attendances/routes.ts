import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import { errors, json, jsonBody } from '../../core/http/openapi.ts';
import { integrationRouter, requireRole } from '../http/app.ts';
import type { Actor, Attendances } from './attendances.ts';
import {
  AttendanceSchema,
  AttendanceStateSchema,
  FinalizeInput,
  RouteInput,
  SupervisorFinalizeInput,
  TabulationInput,
} from './schemas.ts';

const tags = ['Atendimentos'];
const idParam = { params: z.object({ id: z.string().min(1) }) };
const withForbidden = { ...errors, 403: json(z.object({ error: z.any() }), 'not allowed for this role or user') };

export interface ServiceLookup {
  serviceExists(orgId: string, serviceId: string): boolean;
}

export interface QueueRouting {
  schedule(orgId: string): void;
}

/**
 * Attendances over HTTP. An agent sees and acts on their own; supervisors see the organization's and finalize any
 * (Monitoração › Atendimentos › Ações › Finalizar Atendimento).
 */
export function attendanceRoutes(attendances: Attendances, services: ServiceLookup, routing: QueueRouting) {
  const app = integrationRouter();
  const finalizeAs = (
    kind: 'agent' | 'supervisor',
    s: { orgId: string; userId: string },
    id: string,
    input: { tagCode?: string | undefined; notes?: string | undefined },
  ) => attendances.finalize(s.orgId, id, { kind, userId: s.userId }, input);
  const actor = (s: { role: string; userId: string }): Actor =>
    s.role === 'agent' ? { kind: 'agent', userId: s.userId } : { kind: 'supervisor', userId: s.userId };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/attendances',
      tags,
      summary: 'Attendances of media Discador: an agent gets their own, supervisors the organization’s',
      request: {
        query: z.object({
          state: z
            .string()
            .optional()
            .transform((v, ctx) => {
              if (!v) return undefined;
              const parsed = z.array(AttendanceStateSchema).safeParse(v.split(','));
              if (!parsed.success) {
                ctx.addIssue({
                  code: 'custom',
                  message: `state is a comma-separated list of ${AttendanceStateSchema.options.join(', ')}`,
                });
                return z.NEVER;
              }
              return parsed.data;
            }),
          serviceId: z.string().optional(),
          userId: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
      },
      responses: { 200: json(z.array(AttendanceSchema), 'the attendances'), 401: errors[401], 422: errors[422] },
    }),
    (c) => {
      const s = c.var.session;
      const q = c.req.valid('query');
      const userId = s.role === 'agent' ? s.userId : q.userId;
      return c.json(
        attendances.list(s.orgId, {
          ...(q.state ? { states: q.state } : {}),
          ...(userId ? { userId } : {}),
          ...(q.serviceId ? { serviceId: q.serviceId } : {}),
          limit: q.limit,
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/attendances/{id}',
      tags,
      summary: 'One attendance',
      request: idParam,
      responses: { 200: json(AttendanceSchema, 'the attendance'), ...withForbidden },
    }),
    (c) => {
      const s = c.var.session;
      const a = attendances.get(s.orgId, c.req.valid('param').id);
      if (s.role === 'agent' && a.userId !== s.userId)
        throw new AppError('ATTENDANCE_NOT_YOURS', 403, 'an agent sees only their own attendances');
      return c.json(a, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/attendances/{id}/tabulation',
      tags,
      summary: 'Sets the tag and/or notes (any number of times during the call and the wrap-up window)',
      request: { ...idParam, ...jsonBody(TabulationInput) },
      responses: { 200: json(AttendanceSchema, 'updated'), ...withForbidden },
    }),
    (c) => {
      const s = c.var.session;
      return c.json(attendances.tabulate(s.orgId, c.req.valid('param').id, actor(s), c.req.valid('json')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/attendances/{id}/finalize',
      tags,
      summary: 'The agent finalizes their attendance after the call (tag required, here or set before)',
      request: { ...idParam, ...jsonBody(FinalizeInput) },
      responses: { 200: json(AttendanceSchema, 'finalized; the slot is free'), ...withForbidden },
    }),
    (c) => c.json(finalizeAs('agent', c.var.session, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.use('/monitoring/attendances/*', requireRole('supervisor', 'admin'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/monitoring/attendances/{id}/finalize',
      tags: ['Monitoração'],
      summary:
        'Finalizar Atendimento: a supervisor finalizes with a tag in any state (hanging up a call still up); the slot is freed at once',
      request: { ...idParam, ...jsonBody(SupervisorFinalizeInput) },
      responses: { 200: json(AttendanceSchema, 'finalized; the slot is free'), ...withForbidden },
    }),
    (c) => c.json(finalizeAs('supervisor', c.var.session, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/monitoring/attendances/{id}/route',
      tags: ['Monitoração'],
      summary: 'Sends an unrouted AGV call (no service had the AGV’s ramal) to a service',
      request: { ...idParam, ...jsonBody(RouteInput) },
      responses: { 200: json(AttendanceSchema, 'queued in the service'), ...withForbidden },
    }),
    (c) => {
      const s = c.var.session;
      const { serviceId } = c.req.valid('json');
      if (!services.serviceExists(s.orgId, serviceId))
        throw new AppError('SERVICE_NOT_FOUND', 404, `service '${serviceId}' does not exist in this organization`);
      const routed = attendances.reroute(s.orgId, c.req.valid('param').id, serviceId);
      routing.schedule(s.orgId);
      return c.json(routed, 200);
    },
  );

  return app;
}
