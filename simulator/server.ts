import { OpenAPIHono } from '@hono/zod-openapi';
import { CONTROL_API_BASE, controlRouteOf } from '../contract/dialer/control/routes.ts';
import { DIALER_API_BASE, dialerRouteOf } from '../contract/dialer/routes/index.ts';
import { type Clock, RealClock } from '../core/clock.ts';
import { type Db, migrate, openDatabase } from '../core/db.ts';
import { DurableTimers } from '../core/durable-timers.ts';
import { onlyForKnownRoutes } from '../core/http/known-routes.ts';
import { serviceApp } from '../core/http/service-app.ts';
import { defaultHook } from '../core/http/validation.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { seededRandom } from '../core/random.ts';
import { SecretBox } from '../core/secrets.ts';
import { adminAuth } from './admin/auth.ts';
import { Reset } from './admin/reset.ts';
import { adminRoutes } from './admin/routes.ts';
import { agentRoutes } from './agents/routes.ts';
import { AgentSessions } from './agents/sessions.ts';
import { CallFlow } from './calls/call-flow.ts';
import { callRoutes } from './calls/routes.ts';
import { CampaignRepository } from './campaigns/repository.ts';
import { campaignRoutes } from './campaigns/routes.ts';
import { EventLog } from './events/event-log.ts';
import { eventRoutes, OpenStreams } from './events/routes.ts';
import { createFaultInjector, faultAdminRoutes } from './faults/index.ts';
import { type DialerEnv, dialerKeyAuth } from './http/app.ts';
import { createJournal, journalAdminRoutes } from './journal/index.ts';
import { OrganizationRepository } from './organizations/repository.ts';
import { organizationRoutes } from './organizations/routes.ts';
import { Pacer } from './pacing/pacer.ts';
import { simulatorMigrations } from './store/migrations.ts';

export type SimulatorOptions = {
  /** SQLite file, or ':memory:' (the default, for tests). */
  database?: string;
  clock?: Clock;
  /** Encrypts agents' passwords and dialer keys at rest; default: a throw-away key (tests). */
  secrets?: SecretBox;
  adminToken: string;
  allowRemoteAdmin?: boolean;
  seed?: string | number;
  /** The SIP domain agents' softphones register to. */
  sipDomain?: string;
  journalCapacity?: number;
  log?: Logger;
};

/** A seed for everything random that is not a campaign's own outcome model. */
function seedHolder(initial: string | number) {
  let seed = initial;
  let counter = 0;
  let rng = seededRandom(seed);
  return {
    get: () => seed,
    set(s: string | number) {
      seed = s;
      counter = 0;
      rng = seededRandom(s);
    },
    next: () => `${seed}:${counter++}`,
    random: () => rng(),
  };
}

/** The fake Discador DS, wired: its store, domain, HTTP API and control API. The only file that knows all parts. */
export function createSimulator(opts: SimulatorOptions) {
  const log = opts.log ?? createLogger('simulator');
  const clock = opts.clock ?? new RealClock();
  const db: Db = openDatabase(opts.database ?? ':memory:');
  migrate(db, simulatorMigrations);
  const secrets = opts.secrets ?? SecretBox.ephemeral();
  const seed = seedHolder(opts.seed ?? 'ds-harness');

  const timers = new DurableTimers(db, clock, {
    onError: (kind, ref, err) => log.error({ err, kind, ref }, 'timer handler failed; retrying'),
  });
  const events = new EventLog(db, clock);
  const orgs = new OrganizationRepository(db, clock, secrets);
  const sessions = new AgentSessions(db, clock, events, orgs, secrets);
  const campaigns = new CampaignRepository(db, clock);
  const flow = new CallFlow(db, clock, events, timers, sessions, orgs, campaigns);
  const pacer = new Pacer(clock, campaigns, sessions, flow, log);
  const streams = new OpenStreams();
  const faults = createFaultInjector({ random: () => seed.random(), now: () => clock.now(), routeOf: dialerRouteOf });
  const journal = createJournal({
    now: () => clock.now(),
    capacity: opts.journalCapacity ?? 5000,
    routeOf: dialerRouteOf,
  });
  const reset = new Reset(db, orgs, timers, pacer, () => {
    faults.clear();
    journal.clear();
  });

  const api = new OpenAPIHono<DialerEnv>({ defaultHook });
  // A path no route answers is a 404, key or no key (auth would otherwise answer 401 and suggest it exists).
  api.use(
    '*',
    journal.middleware,
    faults.middleware,
    onlyForKnownRoutes(api, DIALER_API_BASE, dialerKeyAuth(orgs), dialerRouteOf),
  );
  api.route('/', organizationRoutes(orgs));
  api.route('/', agentRoutes(orgs, sessions, flow, opts.sipDomain ?? 'discador-ds.local'));
  api.route('/', campaignRoutes(campaigns, pacer));
  api.route('/', callRoutes(flow));
  api.route(
    '/',
    eventRoutes(events, streams, (m, p) => faults.takeStreamDrop(m, p)),
  );

  const admin = new OpenAPIHono({ defaultHook });
  admin.use(
    '*',
    onlyForKnownRoutes(
      admin,
      CONTROL_API_BASE,
      adminAuth(opts.adminToken, { allowRemote: opts.allowRemoteAdmin ?? false }),
      controlRouteOf,
    ),
  );
  admin.route('/', adminRoutes({ clock, orgs, campaigns, flow, reset, seed, dropStreams: (o) => streams.drop(o) }));
  admin.route('/', faultAdminRoutes(faults));
  admin.route('/', journalAdminRoutes(journal));

  const app = serviceApp({
    log,
    name: 'ds-harness Discador DS',
    title: 'Discador DS (ds-harness simulator)',
    description:
      'The fake DS dialer: organizations, agents, campaigns and mailing, calls, dispositions and the event stream. ' +
      'Every /api/v1 request carries the organization’s dialer key (X-Dialer-Key). /__admin is the control API ' +
      '(loopback + admin token).',
    security: {
      dialerKey: { type: 'apiKey', in: 'header', name: 'X-Dialer-Key', description: 'the organization’s dialer key' },
      dialerKeyBearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'the dialer key as `Authorization: Bearer <key>`',
      },
      adminToken: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Admin-Token',
        description: 'the control API’s admin token (loopback only unless --admin-remote)',
      },
      adminBearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'the admin token as `Authorization: Bearer <token>`',
      },
    },
    defaultSecurity: ['dialerKey', 'dialerKeyBearer'],
    tags: [
      { name: 'Organization', description: 'the organization of the dialer key: its pause catalogue and AGVs' },
      { name: 'Agents', description: 'agent accounts and sessions: login, pauses, availability, logout' },
      {
        name: 'Campaigns and mailing',
        description: 'campaigns, their mailing (generated, CSV import/export), dialling',
      },
      { name: 'Calls', description: 'calls: hang-up, transfer, assignment of AGV-returned calls, the one disposition' },
      { name: 'Events', description: 'the ordered, durable event log: pages and the Server-Sent Events stream' },
      {
        name: 'Control',
        description: 'control API (/__admin, loopback + admin token): clock, seed, reset, scripted calls',
      },
      { name: 'Control: faults', description: 'fault injection per route: latency, errors, resets, stream drops' },
      {
        name: 'Control: journal',
        description: 'the request journal: filter by route id or path, verify counts and order',
      },
    ],
    links: { control: '/__admin' },
  });
  app.route(DIALER_API_BASE, api);
  app.route(CONTROL_API_BASE, admin);

  let started = false;
  return {
    app,
    db,
    clock,
    log,
    orgs,
    sessions,
    campaigns,
    flow,
    pacer,
    events,
    timers,
    faults,
    journal,
    streams,
    reset,
    seed,
    /** Arms stored deadlines and resumes running campaigns. */
    start() {
      if (started) return;
      started = true;
      timers.start();
      pacer.start();
    },
    close() {
      pacer.stop();
      timers.stop();
      streams.drop();
      db.close();
    },
  };
}

export type Simulator = ReturnType<typeof createSimulator>;
