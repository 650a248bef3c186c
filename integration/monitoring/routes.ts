import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { AppError } from '../../core/errors.ts';
import { errors, json } from '../../core/http/openapi.ts';
import { Waker } from '../../core/http/waker.ts';
import type { Presence } from '../agents/presence.ts';
import type { Alerts } from '../alerts/alerts.ts';
import type { AttendanceState } from '../attendances/attendance-state.ts';
import type { Attendances } from '../attendances/attendances.ts';
import { AttendanceSchema } from '../attendances/schemas.ts';
import type { Sessions } from '../auth/sessions.ts';
import type { Config } from '../config/repository.ts';
import type { EventConsumer } from '../dialer/consumer.ts';
import type { Outbox } from '../dialer/outbox.ts';
import { integrationRouter, requireRole } from '../http/app.ts';
import type { LiveChange, LiveFeed } from './live-feed.ts';

const tags = ['Monitoração'];
const HEARTBEAT_MS = 15_000;

const AgentRow = z
  .object({
    userId: z.string(),
    name: z.string(),
    username: z.string(),
    loggedIn: z.boolean(),
    dialer: z.object({ status: z.string(), reason: z.string().nullable() }).nullable(),
    state: z.string().describe('the state at the dialer: logged_out, paused, available, reserved, in_call, wrap_up'),
    pause: z.object({ id: z.string(), name: z.string(), idStatus: z.number() }).nullable(),
    unmappedIdStatus: z.number().nullable().describe('a dialer pause no Omni pause maps to (never guessed)'),
    pendingPause: z.object({ idStatus: z.number(), name: z.string().nullable() }).nullable(),
    since: z.string().nullable(),
    slots: z.object({ total: z.number(), used: z.number(), free: z.number() }),
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
        inProgress: z.number(),
        wrapUp: z.number(),
        queued: z.number(),
      }),
    ),
  })
  .openapi('AttendanceBoard');

const AlertSchema = z
  .object({
    id: z.number(),
    orgId: z.string(),
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    at: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi('Alert');

export type MonitoringDeps = {
  config: Config;
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
  app.use('/monitoring/*', requireRole('supervisor', 'admin'));
  app.use('/alerts/*', requireRole('supervisor', 'admin'));
  app.use('/alerts', requireRole('supervisor', 'admin'));

  const agentRow = (orgId: string, userId: string): z.infer<typeof AgentRow> => {
    const user = d.config.getUser(orgId, userId);
    const session = d.sessions.activeOf(userId);
    const p = d.presence.get(userId);
    const slotsTotal = session?.config.slots ?? user.slots;
    const used = d.attendances.slotsUsed(userId);
    const pause = p?.pauseId ? d.config.listPauses(orgId).find((x) => x.id === p.pauseId) : undefined;
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
        pending === null ? null : { idStatus: pending, name: d.config.pauseByIdStatus(orgId, pending)?.name ?? null },
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
    const names = new Map(d.config.listServices(orgId).map((s) => [s.id, s.name]));
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

  app.openapi(
    createRoute({
      method: 'get',
      path: '/monitoring/agents',
      tags,
      summary: 'Agents with their dialer state, pause (pending and unmapped too) and slots used/free',
      responses: { 200: json(z.array(AgentRow), 'the agents'), 401: errors[401] },
    }),
    (c) => {
      const { orgId } = c.var.session;
      const rows = d.config
        .listUsers(orgId)
        .filter((u) => u.role === 'agent' || u.useDialer)
        .map((u) => agentRow(orgId, u.id));
      return c.json(rows, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/monitoring/attendances',
      tags,
      summary: 'Atendimentos: in progress, in wrap-up (with the time left of the window) and queued, per service',
      request: { query: z.object({ serviceId: z.string().optional() }) },
      responses: { 200: json(AttendanceBoard, 'the board'), 401: errors[401] },
    }),
    (c) => c.json(board(c.var.session.orgId, c.req.valid('query').serviceId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/monitoring/dialer',
      tags,
      summary: 'The link to the dialer: event stream status and commands waiting in the outbox',
      responses: { 200: json(z.any(), 'the link'), 401: errors[401] },
    }),
    (c) => {
      const { orgId } = c.var.session;
      const pending = d.outbox.list({ status: 'pending' }).filter((i) => i.orgId === orgId);
      const failed = d.outbox.list({ status: 'failed' }).filter((i) => i.orgId === orgId);
      return c.json({ events: d.consumer.status(orgId), outbox: { pending: pending.length, failed } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/monitoring/stream',
      tags,
      summary: 'Live changes (Server-Sent Events): attendance, agent and alert, each with its current state',
      responses: {
        200: { content: { 'text/event-stream': { schema: z.string() } }, description: 'the stream' },
        401: errors[401],
      },
    }),
    (c) => {
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
    },
  );

  const render = (orgId: string, change: LiveChange): unknown => {
    try {
      if (change.kind === 'attendance') return d.attendances.get(orgId, change.attendanceId);
      if (change.kind === 'agent') return agentRow(orgId, change.userId);
      return d.alerts.get(change.alertId);
    } catch {
      return undefined; // deleted meanwhile
    }
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/alerts',
      tags,
      summary: 'Alerts for supervisors (AGV transfer without a service, unmapped pause, dialer violations…)',
      request: { query: z.object({ open: z.enum(['true', 'false']).default('true') }) },
      responses: { 200: json(z.array(AlertSchema), 'the alerts'), 401: errors[401] },
    }),
    (c) => c.json(d.alerts.list(c.var.session.orgId, { open: c.req.valid('query').open === 'true' }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/alerts/{id}/resolve',
      tags,
      summary: 'Marks an alert resolved',
      request: { params: z.object({ id: z.coerce.number().int() }) },
      responses: { 200: json(z.object({ ok: z.literal(true) }), 'resolved'), 401: errors[401], 404: errors[404] },
    }),
    (c) => {
      if (!d.alerts.resolve(c.var.session.orgId, c.req.valid('param').id))
        throw new AppError('ALERT_NOT_FOUND', 404, 'no open alert with this id in your organization');
      return c.json({ ok: true as const }, 200);
    },
  );

  return app;
}
