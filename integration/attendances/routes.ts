import { z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import { defineRoute, json, jsonBody } from '../../core/http/openapi.ts';
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

/** Omni's word for this part of the API. */
export const ATTENDANCE_TAGS = [
  {
    name: 'Atendimentos',
    description: 'attendances of media Discador: an agent’s own, their tabulation (tag and notes) and finalization',
  },
];

const tags = ['Atendimentos'];
const monitoringTags = ['Monitoração'];
const idParam = { params: z.object({ id: z.string().min(1).describe('the attendance id') }) };
const asAgent =
  'An agent acts only on their own attendances (403 ATTENDANCE_NOT_YOURS); 404 ATTENDANCE_NOT_FOUND; 409 when its ' +
  'state does not allow it (ATTENDANCE_ALREADY_FINALIZED, with the winner in details; ATTENDANCE_NOT_TABULABLE; ' +
  'ATTENDANCE_CALL_IN_PROGRESS); 422 TAG_UNKNOWN, TAG_NOT_FOR_SERVICE or TAG_REQUIRED.';
const asSupervisor = 'For supervisors and admins (403 FORBIDDEN_ROLE otherwise).';

const AttendanceStateList = z
  .string()
  .optional()
  .describe(`a comma-separated list of ${AttendanceStateSchema.options.join(', ')}`)
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
  });

const routes = {
  list: defineRoute({
    operationId: 'attendances.list',
    method: 'get',
    path: '/attendances',
    tags,
    summary: 'Attendances of media Discador: an agent gets their own, supervisors the organization’s',
    request: {
      query: z.object({
        state: AttendanceStateList,
        serviceId: z.string().optional(),
        userId: z.string().optional().describe('supervisors only: one agent’s (an agent always gets their own)'),
        limit: z.coerce.number().int().min(1).max(1000).default(200),
      }),
    },
    responses: { 200: json(z.array(AttendanceSchema), 'the attendances') },
  }),
  get: defineRoute(
    {
      operationId: 'attendances.get',
      method: 'get',
      path: '/attendances/{id}',
      tags,
      summary: 'One attendance',
      description: 'An agent sees only their own (403 ATTENDANCE_NOT_YOURS); 404 ATTENDANCE_NOT_FOUND.',
      request: idParam,
      responses: { 200: json(AttendanceSchema, 'the attendance') },
    },
    { errors: [403, 404] },
  ),
  tabulate: defineRoute(
    {
      operationId: 'attendances.tabulate',
      method: 'patch',
      path: '/attendances/{id}/tabulation',
      tags,
      summary: 'Sets the tag and/or notes (any number of times during the call and the wrap-up window)',
      description: asAgent,
      request: { ...idParam, ...jsonBody(TabulationInput) },
      responses: { 200: json(AttendanceSchema, 'updated') },
    },
    { errors: [403, 404, 409] },
  ),
  hangUp: defineRoute(
    {
      operationId: 'attendances.hangUp',
      method: 'post',
      path: '/attendances/{id}/hangup',
      tags,
      summary:
        'Hangs up the call of the attendance (the agent’s own; a supervisor’s for anyone): the dialer ends it and the ' +
        'wrap-up window opens when it reports the end',
      description: `${asAgent} 409 ATTENDANCE_NOT_IN_CALL when no call is up (already ended: tabulate and finalize).`,
      request: idParam,
      responses: { 202: json(AttendanceSchema, 'the hang-up is on its way to the dialer') },
    },
    { errors: [403, 404, 409] },
  ),
  finalize: defineRoute(
    {
      operationId: 'attendances.finalize',
      method: 'post',
      path: '/attendances/{id}/finalize',
      tags,
      summary: 'The agent finalizes their attendance after the call (tag required, here or set before)',
      description: asAgent,
      request: { ...idParam, ...jsonBody(FinalizeInput) },
      responses: { 200: json(AttendanceSchema, 'finalized; the slot is free') },
    },
    { errors: [403, 404, 409] },
  ),
  supervisorFinalize: defineRoute(
    {
      operationId: 'monitoring.attendances.finalize',
      method: 'post',
      path: '/monitoring/attendances/{id}/finalize',
      tags: monitoringTags,
      summary:
        'Finalizar Atendimento: a supervisor finalizes with a tag in any state (hanging up a call still up); the slot is freed at once',
      description: `${asSupervisor} 404 ATTENDANCE_NOT_FOUND; 409 ATTENDANCE_ALREADY_FINALIZED (the winner in details); 422 TAG_UNKNOWN or TAG_NOT_FOR_SERVICE.`,
      request: { ...idParam, ...jsonBody(SupervisorFinalizeInput) },
      responses: { 200: json(AttendanceSchema, 'finalized; the slot is free') },
    },
    { errors: [403, 404, 409] },
  ),
  route: defineRoute(
    {
      operationId: 'monitoring.attendances.route',
      method: 'post',
      path: '/monitoring/attendances/{id}/route',
      tags: monitoringTags,
      summary: 'Sends an unrouted AGV call (no service had the AGV’s ramal) to a service',
      description: `${asSupervisor} 404 ATTENDANCE_NOT_FOUND or SERVICE_NOT_FOUND; 409 ATTENDANCE_NOT_QUEUED when it is no longer waiting.`,
      request: { ...idParam, ...jsonBody(RouteInput) },
      responses: { 200: json(AttendanceSchema, 'queued in the service') },
    },
    { errors: [403, 404, 409] },
  ),
};

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

  app.openapi(routes.list, (c) => {
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
  });

  app.openapi(routes.get, (c) => {
    const s = c.var.session;
    const a = attendances.get(s.orgId, c.req.valid('param').id);
    if (s.role === 'agent' && a.userId !== s.userId)
      throw new AppError('ATTENDANCE_NOT_YOURS', 403, 'an agent sees only their own attendances');
    return c.json(a, 200);
  });

  app.openapi(routes.tabulate, (c) => {
    const s = c.var.session;
    return c.json(attendances.tabulate(s.orgId, c.req.valid('param').id, actor(s), c.req.valid('json')), 200);
  });

  app.openapi(routes.hangUp, (c) => {
    const s = c.var.session;
    return c.json(attendances.hangUp(s.orgId, c.req.valid('param').id, actor(s)), 202);
  });

  app.openapi(routes.finalize, (c) =>
    c.json(finalizeAs('agent', c.var.session, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.use('/monitoring/attendances/*', requireRole('supervisor', 'admin'));
  app.openapi(routes.supervisorFinalize, (c) =>
    c.json(finalizeAs('supervisor', c.var.session, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(routes.route, (c) => {
    const s = c.var.session;
    const { serviceId } = c.req.valid('json');
    if (!services.serviceExists(s.orgId, serviceId))
      throw new AppError('SERVICE_NOT_FOUND', 404, `service '${serviceId}' does not exist in this organization`);
    const routed = attendances.reroute(s.orgId, c.req.valid('param').id, serviceId);
    routing.schedule(s.orgId);
    return c.json(routed, 200);
  });

  return app;
}
