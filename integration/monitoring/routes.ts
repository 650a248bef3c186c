import { z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { AgentState } from '../../contract/agents.ts';
import { AppError } from '../../core/errors.ts';
import { defineRoute, json, Ok, orNull } from '../../core/http/openapi.ts';
import { wholeNumberParam } from '../../core/http/params.ts';
import { Waker } from '../../core/http/waker.ts';
import type { Presence } from '../agents/presence.ts';
import { DialerLinkSchema, PauseRef, SlotsSchema } from '../agents/schemas.ts';
import type { Alerts } from '../alerts/alerts.ts';
import type { AttendanceState } from '../attendances/attendance-state.ts';
import type { Attendances } from '../attendances/attendances.ts';
import { AttendanceSchema } from '../attendances/schemas.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { Configuration } from '../configuration.ts';
import type { EventConsumer } from '../dialer/consumer.ts';
import type { Outbox } from '../dialer/outbox.ts';
import { integrationRouter, requireRole } from '../http/app.ts';
import { DialerCommandMonitor, DialerCommandSchema, toDialerCommand } from './dialer-commands.ts';
import type { LiveChange, LiveFeed } from './live-feed.ts';

/** Omni's words for this part of the API. */
export const MONITORING_TAGS = [
  {
    name: 'Monitoração',
    description:
      'for supervisors and admins: agents with state, pause and slots; attendances (Atendimentos) and Finalizar ' +
      'Atendimento; the link to the dialer and its commands; alerts; a live feed',
  },
];

const tags = ['Monitoração'];
const HEARTBEAT_MS = 15_000;
const forSupervisors = 'For supervisors and admins (403 FORBIDDEN_ROLE otherwise).';
const Timestamp = z.iso.datetime();

const AgentRow = z
  .object({
    userId: z.string(),
    name: z.string(),
    username: z.string(),
    loggedIn: z.boolean(),
    dialer: orNull(DialerLinkSchema).describe('the session’s link to the dialer; null when not logged in'),
    state: AgentState.describe('the state at the dialer (logged_out when not logged in)'),
    pause: orNull(PauseRef),
    unmappedIdStatus: z.number().int().nullable().describe('a dialer pause no Omni pause maps to (never guessed)'),
    pendingPause: z.object({ idStatus: z.number().int(), name: z.string().nullable() }).nullable(),
    since: Timestamp.nullable(),
    slots: SlotsSchema,
  })
  .openapi('MonitoredAgent');

const AttendanceBoard = z
  .object({
    inProgress: z.array(AttendanceSchema),
    wrapUp: z.array(AttendanceSchema),
    queued: z.array(AttendanceSchema),
    perService: z.array(
      z.object({
        serviceId: z.string().nullable(),
        name: z.string(),
        inProgress: z.number().int(),
        wrapUp: z.number().int(),
        queued: z.number().int(),
      }),
    ),
  })
  .openapi('AttendanceBoard');

const AlertSchema = z
  .object({
    id: z.number().int(),
    orgId: z.string(),
    code: z.string().describe('AGV_NO_SERVICE, PAUSE_UNMAPPED, DIALER_COMMAND_FAILED…'),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    at: Timestamp,
    resolvedAt: Timestamp.nullable(),
  })
  .openapi('Alert');

const EventStreamStatus = z
  .object({
    running: z.boolean().describe('Omni follows this organization’s events (its dialer is configured)'),
    connected: z.boolean(),
    lastEventId: z.number().int().describe('the last event handled: the stream resumes after it'),
    lastError: z.string().nullable(),
    reconnects: z.number().int(),
    handled: z.number().int(),
    invalid: z.number().int().describe('events skipped because they broke the contract'),
  })
  .openapi('DialerEventStreamStatus');

const DialerLinkStatus = z
  .object({
    events: EventStreamStatus,
    outbox: z.object({
      pending: z.number().int().describe('commands waiting for the dialer (retried until it takes them)'),
      failed: z.array(DialerCommandSchema).describe('commands the dialer refused for good: fix the cause, requeue'),
    }),
  })
  .openapi('DialerLinkStatus');

const CommandStatus = z.enum(['pending', 'sent', 'failed']);

const routes = {
  agents: defineRoute(
    {
      operationId: 'monitoring.agents',
      method: 'get',
      path: '/monitoring/agents',
      tags,
      summary: 'Agents with their dialer state, pause (pending and unmapped too) and slots used/free',
      description: forSupervisors,
      responses: { 200: json(z.array(AgentRow), 'the agents') },
    },
    { errors: [403] },
  ),
  attendances: defineRoute(
    {
      operationId: 'monitoring.attendances',
      method: 'get',
      path: '/monitoring/attendances',
      tags,
      summary: 'Atendimentos: in progress, in wrap-up (with the time left of the window) and queued, per service',
      description: forSupervisors,
      request: { query: z.object({ serviceId: z.string().optional() }) },
      responses: { 200: json(AttendanceBoard, 'the board') },
    },
    { errors: [403] },
  ),
  dialer: defineRoute(
    {
      operationId: 'monitoring.dialer',
      method: 'get',
      path: '/monitoring/dialer',
      tags,
      summary: 'The link to the dialer: event stream status, commands waiting and commands that failed',
      description: forSupervisors,
      responses: { 200: json(DialerLinkStatus, 'the link') },
    },
    { errors: [403] },
  ),
  commands: defineRoute(
    {
      operationId: 'monitoring.dialer.commands.list',
      method: 'get',
      path: '/monitoring/dialer/commands',
      tags,
      summary: 'The organization’s commands to the dialer, oldest first (status=failed: the ones to fix and requeue)',
      description: forSupervisors,
      request: {
        query: z.object({
          status: CommandStatus.optional(),
          limit: wholeNumberParam({ min: 1, max: 500 }).optional().describe('at most this many (default 100, max 500)'),
        }),
      },
      responses: { 200: json(z.array(DialerCommandSchema), 'the commands') },
    },
    { errors: [403] },
  ),
  requeue: defineRoute(
    {
      operationId: 'monitoring.dialer.commands.requeue',
      method: 'post',
      path: '/monitoring/dialer/commands/{id}/requeue',
      tags,
      summary:
        'Puts a command the dialer refused for good back in the queue, once its cause is fixed; resolves its alert',
      description:
        `${forSupervisors} 404 DIALER_COMMAND_NOT_FOUND (none with this id in your organization); ` +
        '409 DIALER_COMMAND_NOT_FAILED when it is pending or sent (details.status says which).',
      request: { params: z.object({ id: wholeNumberParam({ min: 1 }).describe('the command id') }) },
      responses: { 200: json(DialerCommandSchema, 'back in the queue (pending)') },
    },
    { errors: [403, 404, 409] },
  ),
  stream: defineRoute(
    {
      operationId: 'monitoring.stream',
      method: 'get',
      path: '/monitoring/stream',
      tags,
      summary: 'Live changes (Server-Sent Events): attendance, agent and alert, each with its current state',
      description:
        `${forSupervisors} Events: \`hello\` once, then \`attendance\` (an Attendance), \`agent\` (a ` +
        'MonitoredAgent) and `alert` (an Alert) as they change; a comment line every 15 s keeps the stream open.',
      responses: { 200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'the stream' } },
    },
    { errors: [403] },
  ),
  alerts: defineRoute(
    {
      operationId: 'alerts.list',
      method: 'get',
      path: '/alerts',
      tags,
      summary: 'Alerts for supervisors (AGV transfer without a service, unmapped pause, dialer command failed…)',
      description: forSupervisors,
      request: {
        query: z.object({ open: z.enum(['true', 'false']).default('true').describe('false: resolved ones too') }),
      },
      responses: { 200: json(z.array(AlertSchema), 'the alerts, newest first') },
    },
    { errors: [403] },
  ),
  resolveAlert: defineRoute(
    {
      operationId: 'alerts.resolve',
      method: 'post',
      path: '/alerts/{id}/resolve',
      tags,
      summary: 'Marks an alert resolved',
      description: `${forSupervisors} 404 ALERT_NOT_FOUND when no open alert has this id in your organization.`,
      request: { params: z.object({ id: wholeNumberParam({ min: 1 }).describe('the alert id') }) },
      responses: { 200: json(Ok, 'resolved') },
    },
    { errors: [403, 404] },
  ),
};

export type MonitoringDeps = {
  config: Configuration;
  sessions: Sessions;
  attendances: Attendances;
  presence: Presence;
  alerts: Alerts;
  feed: LiveFeed;
  consumer: EventConsumer;
  outbox: Outbox;
};

/**
 * Monitoração: agents with state, pause and slots; attendances in progress, in wrap-up (with time left) and queued,
 * per service; alerts; and a live SSE feed of every change (Omni's own screen refreshes every 30 s).
 */
export function monitoringRoutes(d: MonitoringDeps) {
  const app = integrationRouter();
  const commands = new DialerCommandMonitor(d.outbox, d.alerts);
  app.use('/monitoring/*', requireRole('supervisor', 'admin'));
  app.use('/alerts/*', requireRole('supervisor', 'admin'));
  app.use('/alerts', requireRole('supervisor', 'admin'));

  const agentRow = (orgId: string, userId: string): z.infer<typeof AgentRow> => {
    const user = d.config.users.get(orgId, userId);
    const session = d.sessions.activeOf(userId);
    const p = d.presence.get(userId);
    const slotsTotal = session?.config.slots ?? user.slots;
    const used = d.attendances.slotsUsed(userId);
    const pause = p?.pauseId ? d.config.pauses.list(orgId).find((x) => x.id === p.pauseId) : undefined;
    const pending = p?.pendingIdStatus ?? null;
    return {
      userId,
      name: user.name,
      username: user.username,
      loggedIn: session !== undefined,
      dialer: session ? session.dialer : null,
      state: session && p ? p.dialerState : 'logged_out',
      pause: pause ? { id: pause.id, name: pause.name, idStatus: pause.idStatus } : null,
      unmappedIdStatus: p?.unmappedIdStatus ?? null,
      pendingPause:
        pending === null ? null : { idStatus: pending, name: d.config.pauses.byIdStatus(orgId, pending)?.name ?? null },
      since: p?.since ?? null,
      slots: { total: slotsTotal, used, free: Math.max(0, slotsTotal - used) },
    };
  };

  const board = (orgId: string, serviceId?: string) => {
    const list = (states: AttendanceState[]) =>
      d.attendances.list(orgId, { states, ...(serviceId ? { serviceId } : {}), limit: 1000 });
    const inProgress = list(['offered', 'in_progress']);
    const wrapUp = list(['wrap_up']);
    const queued = list(['queued', 'unrouted']);
    const names = new Map(d.config.services.list(orgId).map((s) => [s.id, s.name]));
    const per = new Map<string | null, { inProgress: number; wrapUp: number; queued: number }>();
    const bump = (id: string | null, k: 'inProgress' | 'wrapUp' | 'queued') => {
      const row = per.get(id) ?? { inProgress: 0, wrapUp: 0, queued: 0 };
      row[k]++;
      per.set(id, row);
    };
    for (const a of inProgress) bump(a.serviceId, 'inProgress');
    for (const a of wrapUp) bump(a.serviceId, 'wrapUp');
    for (const a of queued) bump(a.serviceId, 'queued');
    const perService = [...per].map(([id, n]) => ({
      serviceId: id,
      name: id ? (names.get(id) ?? id) : 'sem serviço',
      ...n,
    }));
    return { inProgress, wrapUp, queued, perService };
  };

  app.openapi(routes.agents, (c) => {
    const { orgId } = c.var.session;
    const rows = d.config.users
      .list(orgId)
      .filter((u) => u.role === 'agent' || u.useDialer)
      .map((u) => agentRow(orgId, u.id));
    return c.json(rows, 200);
  });

  app.openapi(routes.attendances, (c) => c.json(board(c.var.session.orgId, c.req.valid('query').serviceId), 200));

  app.openapi(routes.dialer, (c) => {
    const { orgId } = c.var.session;
    const failed = d.outbox.list({ orgId, status: 'failed' }).map(toDialerCommand);
    return c.json({ events: d.consumer.status(orgId), outbox: { pending: d.outbox.pending(orgId), failed } }, 200);
  });

  app.openapi(routes.commands, (c) => {
    const q = c.req.valid('query');
    return c.json(
      commands.list(c.var.session.orgId, { ...(q.status ? { status: q.status } : {}), limit: q.limit ?? 100 }),
      200,
    );
  });

  app.openapi(routes.requeue, (c) => c.json(commands.requeue(c.var.session.orgId, c.req.valid('param').id), 200));

  app.openapi(routes.stream, (c) => {
    const { orgId } = c.var.session;
    return streamSSE(c, async (stream) => {
      const queue: LiveChange[] = [];
      const waker = new Waker();
      let closed = false;
      const unsubscribe = d.feed.subscribe(orgId, (change) => {
        queue.push(change);
        waker.wake();
      });
      stream.onAbort(() => {
        closed = true;
        waker.wake();
      });
      try {
        await stream.writeSSE({ event: 'hello', data: JSON.stringify({ orgId }) });
        while (!closed) {
          while (queue.length > 0) {
            const change = queue.shift()!;
            const payload = render(orgId, change);
            if (payload) await stream.writeSSE({ event: change.kind, data: JSON.stringify(payload) });
          }
          await waker.wait(HEARTBEAT_MS);
          if (!closed && queue.length === 0) await stream.write(': keep-alive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });

  const render = (orgId: string, change: LiveChange): unknown => {
    try {
      if (change.kind === 'attendance') return d.attendances.get(orgId, change.attendanceId);
      if (change.kind === 'agent') return agentRow(orgId, change.userId);
      return d.alerts.get(change.alertId);
    } catch {
      return undefined; // deleted meanwhile
    }
  };

  app.openapi(routes.alerts, (c) =>
    c.json(d.alerts.list(c.var.session.orgId, { open: c.req.valid('query').open === 'true' }), 200),
  );

  app.openapi(routes.resolveAlert, (c) => {
    if (!d.alerts.resolve(c.var.session.orgId, c.req.valid('param').id))
      throw new AppError('ALERT_NOT_FOUND', 404, 'no open alert with this id in your organization');
    return c.json({ ok: true as const }, 200);
  });

  return app;
}
