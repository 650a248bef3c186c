import { OpenAPIHono } from '@hono/zod-openapi';
import { type Clock, RealClock } from '../core/clock.ts';
import { type Db, migrate, openDatabase } from '../core/db.ts';
import { DurableTimers } from '../core/durable-timers.ts';
import { onlyForKnownRoutes } from '../core/http/known-routes.ts';
import { serviceApp } from '../core/http/service-app.ts';
import { defaultHook } from '../core/http/validation.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { SecretBox } from '../core/secrets.ts';
import { AgentLifecycle } from './agents/lifecycle.ts';
import { Presence } from './agents/presence.ts';
import { agentRoutes, loginRoutes, SESSION_TAGS } from './agents/routes.ts';
import { Alerts } from './alerts/alerts.ts';
import { Attendances } from './attendances/attendances.ts';
import { ATTENDANCE_TAGS, attendanceRoutes } from './attendances/routes.ts';
import { LoginThrottle, type LoginThrottleOptions } from './auth/login-throttle.ts';
import { OPERATOR_HEADER, OperatorToken } from './auth/operator.ts';
import { Sessions, sessionAuth } from './auth/sessions.ts';
import { CONFIGURATION_TAGS, Configuration, configurationRoutes } from './configuration.ts';
import { AgentRequests } from './dialer/agent-requests.ts';
import { DialerClients } from './dialer/clients.ts';
import { DialerCommandPort, dialerCommandSender } from './dialer/commands.ts';
import { EventConsumer } from './dialer/consumer.ts';
import { Outbox } from './dialer/outbox.ts';
import { dialerEventHandler } from './events/dialer-event-handler.ts';
import type { IntegrationEnv } from './http/app.ts';
import { LiveFeed } from './monitoring/live-feed.ts';
import { MONITORING_TAGS, monitoringRoutes } from './monitoring/routes.ts';
import { organizationDirectoryRoutes } from './organizations/routes.ts';
import { REPORT_TAGS, reportRoutes } from './reports/routes.ts';
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
  /**
   * The platform operator token (creates and lists organizations; see integration/auth/operator.ts); default: a
   * random one, readable as `operatorToken` on the result (tests).
   */
  operatorToken?: string;
  /** Failed-login limits per user and per client address (defaults in integration/auth/login-throttle.ts). */
  loginThrottle?: LoginThrottleOptions;
};

/** The Omni side, wired: configuration, dialer client, outbox, event consumer, attendances, routing, API. */
export function createIntegration(opts: IntegrationOptions = {}) {
  const log = opts.log ?? createLogger('omni');
  const clock = opts.clock ?? new RealClock();
  const db: Db = openDatabase(opts.database ?? ':memory:');
  migrate(db, integrationMigrations);
  const secrets = opts.secrets ?? SecretBox.ephemeral();

  const config = new Configuration(db, clock, secrets, opts.scryptCost ? { scryptCost: opts.scryptCost } : {});
  const operatorToken = opts.operatorToken ?? OperatorToken.generate();
  const operator = new OperatorToken(operatorToken);
  const timers = new DurableTimers(db, clock, {
    onError: (kind, ref, err) => log.error({ err, kind, ref }, 'timer handler failed; retrying'),
  });
  const feed = new LiveFeed(db);
  const alerts = new Alerts(db, clock, feed);
  const sessions = new Sessions(db, clock);
  const clients = new DialerClients((orgId) => config.organizations.partialDialerSettings(orgId));
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
  const commands = new DialerCommandPort(outbox);
  const attendances = new Attendances(
    db,
    clock,
    timers,
    commands,
    {
      tabulationSettings: (orgId) => config.organizations.tabulation(orgId),
      tagByCode: (orgId, code) => config.tags.byCode(orgId, code),
      serviceByIdentifier: (orgId, identifier) => config.services.byIdentifier(orgId, identifier),
    },
    feed,
  );
  const presence = new Presence(
    db,
    clock,
    {
      pauseByIdStatus: (orgId, idStatus) => config.pauses.byIdStatus(orgId, idStatus),
      isSystemPause: (orgId, idStatus, name) => config.systemPauses.learnFromEvent(orgId, idStatus, name),
    },
    alerts,
    feed,
  );
  const lifecycle = new AgentLifecycle(
    config,
    sessions,
    clients,
    commands,
    presence,
    attendances,
    new AgentRequests(db),
    log,
  );
  const router = new AgvRouter(
    db,
    clock,
    attendances,
    sessions,
    presence,
    {
      assign: async (orgId, callId, dialerUser) =>
        (await clients.get(orgId).call('calls.assign', { params: { id: callId }, body: { dialerUser } })).body,
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
    if (!config.organizations.exists(orgId)) return;
    const s = config.organizations.partialDialerSettings(orgId);
    if (s.dialerUrl && s.dialerKey && s.certificatePem && !consumer.status(orgId).running) consumer.start(orgId);
  };
  let started = false;
  // A new role, password or a deactivation ends the user's sessions at once (in the writing transaction).
  config.users.onAccessChange((userId) => lifecycle.endSessionsOf(userId));
  config.organizations.onDialerSettingsChange((orgId) => {
    void clients.invalidate(orgId).then(() => {
      if (consumer.status(orgId).running) consumer.stop(orgId);
      if (started) follow(orgId);
    });
  });

  const api = new OpenAPIHono<IntegrationEnv>({ defaultHook });
  api.use('/sessions', new LoginThrottle(clock, opts.loginThrottle).middleware());
  api.route('/', loginRoutes(lifecycle));
  api.route('/', organizationDirectoryRoutes(config.organizations, operator, sessions));
  api.use('*', onlyForKnownRoutes(api, '/api/v1', sessionAuth(sessions)));
  api.route('/', agentRoutes(lifecycle));
  api.route(
    '/',
    configurationRoutes(config, clock, {
      pauseCatalogue: async (orgId) => (await clients.get(orgId).call('pauses.list', {})).body,
    }),
  );
  api.route('/', attendanceRoutes(attendances, { serviceExists: (o, s) => config.services.exists(o, s) }, router));
  api.route('/', monitoringRoutes({ config, sessions, attendances, presence, alerts, feed, consumer, outbox }));
  api.route(
    '/',
    reportRoutes(db, config.users, () => clock.now()),
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
      operator: {
        type: 'apiKey',
        in: 'header',
        name: OPERATOR_HEADER,
        description:
          'the platform operator token (creates and lists organizations): in the data folder (operator-token) or ' +
          '$DS_HARNESS_OPERATOR_TOKEN; ds-harness start prints where',
      },
    },
    defaultSecurity: ['session'],
    serviceTag: 'Sistema',
    tags: [...SESSION_TAGS, ...CONFIGURATION_TAGS, ...ATTENDANCE_TAGS, ...MONITORING_TAGS, ...REPORT_TAGS],
  });
  app.route('/api/v1', api);

  return {
    app,
    db,
    clock,
    log,
    config,
    /** The platform operator token (secret): send it as X-Omni-Operator-Token to create or list organizations. */
    operatorToken,
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
      for (const org of config.organizations.list()) follow(org.id);
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
