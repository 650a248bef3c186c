import { OpenAPIHono } from '@hono/zod-openapi';
import { type Clock, RealClock } from '../core/clock.ts';
import { type Db, migrate, openDatabase } from '../core/db.ts';
import { DurableTimers } from '../core/durable-timers.ts';
import { serviceApp } from '../core/http/service-app.ts';
import { defaultHook } from '../core/http/validation.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { SecretBox } from '../core/secrets.ts';
import { AgentLifecycle } from './agents/lifecycle.ts';
import { Presence } from './agents/presence.ts';
import { agentRoutes, loginRoutes } from './agents/routes.ts';
import { Alerts } from './alerts/alerts.ts';
import { Attendances } from './attendances/attendances.ts';
import { attendanceRoutes } from './attendances/routes.ts';
import { Sessions, sessionAuth } from './auth/sessions.ts';
import { Config } from './config/repository.ts';
import { configRoutes } from './config/routes.ts';
import { DialerClients } from './dialer/clients.ts';
import { dialerCommandSender } from './dialer/commands.ts';
import { EventConsumer } from './dialer/consumer.ts';
import { Outbox } from './dialer/outbox.ts';
import { dialerEventHandler } from './events/dialer-event-handler.ts';
import type { IntegrationEnv } from './http/app.ts';
import { LiveFeed } from './monitoring/live-feed.ts';
import { monitoringRoutes } from './monitoring/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { AgvRouter } from './routing/agv-router.ts';
import { integrationMigrations } from './store/migrations.ts';

export type IntegrationOptions = {
  /** SQLite file, or ':memory:' (the default, for tests). */
  database?: string;
  clock?: Clock;
  /** Encrypts dialer keys and dialer passwords at rest; default: a throw-away key (tests). */
  secrets?: SecretBox;
  log?: Logger;
  /** Omni password hashing cost; tests lower it. */
  scryptCost?: number;
  /** Outbox retry delays (on the clock). */
  outbox?: { baseDelayMs?: number; maxDelayMs?: number; concurrency?: number };
};

/** The Omni side, wired: configuration, dialer client, outbox, event consumer, attendances, routing, API. */
export function createIntegration(opts: IntegrationOptions = {}) {
  const log = opts.log ?? createLogger('omni');
  const clock = opts.clock ?? new RealClock();
  const db: Db = openDatabase(opts.database ?? ':memory:');
  migrate(db, integrationMigrations);
  const secrets = opts.secrets ?? SecretBox.ephemeral();

  const config = new Config(db, clock, secrets, opts.scryptCost ? { scryptCost: opts.scryptCost } : {});
  const timers = new DurableTimers(db, clock, {
    onError: (kind, ref, err) => log.error({ err, kind, ref }, 'timer handler failed; retrying'),
  });
  const feed = new LiveFeed();
  const alerts = new Alerts(db, clock, feed);
  const sessions = new Sessions(db, clock);
  const clients = new DialerClients((orgId) => config.partialDialerSettings(orgId));
  const outbox = new Outbox(db, clock, dialerCommandSender(clients), {
    ...opts.outbox,
    log,
    // A command the dialer refused for good (not a network problem): supervisors must see it.
    onFailed: (item, error) =>
      alerts.raise(item.orgId, 'DIALER_COMMAND_FAILED', `the dialer refused ${item.kind}: ${error}`, {
        kind: item.kind,
        payload: item.payload,
        outboxId: item.id,
      }),
  });
  const attendances = new Attendances(db, clock, timers, outbox, config, feed);
  const presence = new Presence(db, clock, config, alerts, feed);
  const lifecycle = new AgentLifecycle(config, sessions, clients, outbox, presence, attendances, log);
  const router = new AgvRouter(
    clock,
    attendances,
    sessions,
    presence,
    {
      assign: (orgId, callId, dialerUser) => clients.get(orgId).assign(callId, dialerUser),
    },
    log,
  );
  const users = {
    userIdByDialerUser: (orgId: string, dialerUser: string) =>
      (
        db
          .prepare('SELECT id FROM users WHERE org_id = ? AND dialer_user = ? AND use_dialer = 1')
          .get(orgId, dialerUser) as { id: string } | undefined
      )?.id,
  };
  const consumer = new EventConsumer(
    db,
    clients,
    dialerEventHandler({ sessions, users, attendances, presence, alerts, router, log }),
    { log },
  );
  // New dialer settings: a new client, and the event stream reconnects with them.
  // Start following an organization's events once its dialer is configured; reconnect when the settings change.
  const follow = (orgId: string) => {
    if (!config.organizationExists(orgId)) return;
    const s = config.partialDialerSettings(orgId);
    if (s.dialerUrl && s.dialerKey && s.certificatePem && !consumer.status(orgId).running) consumer.start(orgId);
  };
  let started = false;
  config.onDialerSettingsChange((orgId) => {
    void clients.invalidate(orgId).then(() => {
      if (consumer.status(orgId).running) consumer.stop(orgId);
      if (started) follow(orgId);
    });
  });

  const api = new OpenAPIHono<IntegrationEnv>({ defaultHook });
  api.route('/', loginRoutes(lifecycle));
  api.use('*', sessionAuth(sessions));
  api.route('/', agentRoutes(lifecycle));
  api.route('/', configRoutes(config, clock, { pauseCatalogue: (orgId) => clients.get(orgId).pauseCatalogue() }));
  api.route(
    '/',
    attendanceRoutes(attendances, { serviceExists: (o, s) => config.listServices(o).some((x) => x.id === s) }, router),
  );
  api.route('/', monitoringRoutes({ config, sessions, attendances, presence, alerts, feed, consumer, outbox }));
  api.route(
    '/',
    reportRoutes(db, config, () => clock.now()),
  );

  const app = serviceApp({
    log,
    name: 'ds-harness Omni integration',
    title: 'Omni — integração Discador DS (ds-harness)',
    description:
      'The Omni side: configuration (Empresas, Usuários, Serviços, Pausas, Tags), agent sessions with the dialer, ' +
      'attendances of media Discador, auto-tabulation, supervisor finalization, monitoring and reports. ' +
      'Log in with POST /api/v1/sessions and send Authorization: Bearer <token>.',
    security: {
      session: {
        type: 'http',
        scheme: 'bearer',
        description: 'the token POST /api/v1/sessions answers, as `Authorization: Bearer <token>`',
      },
    },
    defaultSecurity: ['session'],
  });
  app.route('/api/v1', api);

  return {
    app,
    db,
    clock,
    log,
    config,
    sessions,
    clients,
    outbox,
    consumer,
    attendances,
    presence,
    lifecycle,
    router,
    alerts,
    feed,
    timers,
    /** Arms stored deadlines, resends pending dialer commands and follows every configured organization's events. */
    start() {
      if (started) return;
      started = true;
      timers.start();
      outbox.start();
      for (const org of config.listOrganizations()) follow(org.id);
    },
    /** Starts consuming an organization's dialer events (when its dialer is configured). */
    follow,
    async close() {
      router.stop();
      timers.stop();
      await consumer.stopAll();
      await outbox.stop();
      await clients.closeAll();
      db.close();
    },
  };
}

export type Integration = ReturnType<typeof createIntegration>;
