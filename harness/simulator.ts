import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTROL_API_BASE, type ControlRoutes, controlRoutes } from '../contract/dialer/control/routes.ts';
import { DIALER_API_BASE, type DialerRoutes, dialerRoutes } from '../contract/dialer/routes/index.ts';
import type { DialerEvent } from '../contract/events.ts';
import { type Clock, VirtualClock } from '../core/clock.ts';
import { HttpsClient } from '../core/https-client.ts';
import { SecretBox } from '../core/secrets.ts';
import { type Listening, serveHttps } from '../core/serve.ts';
import { type CertificateSet, ensureCertificates } from '../simulator/certs/index.ts';
import { createSimulator, type Simulator } from '../simulator/server.ts';
import { installContractCheck } from './contract-check.ts';
import { type RouteClient, routeClient } from './route-client.ts';

/**
 * For tests (here and in the integration and scenarios): a real simulator over real HTTPS on an ephemeral port, with
 * certificates from its own CA, an organization with agents and an AGV, and clients that trust only that CA.
 */
let certs: Promise<CertificateSet> | undefined;
export function testCertificates(): Promise<CertificateSet> {
  certs ??= ensureCertificates(mkdtempSync(join(tmpdir(), 'dsh-certs-')));
  return certs;
}

export const ADMIN_TOKEN = 'test-admin-token';
export const TEST_AGENTS = [
  { dialerUser: 'ana', name: 'Ana', extension: '2001', password: 'senha-ana' },
  { dialerUser: 'bia', name: 'Bia', extension: '2002', password: 'senha-bia' },
  { dialerUser: 'caio', name: 'Caio', extension: '2003', password: 'senha-caio' },
];

export type TestSimulator = {
  sim: Simulator;
  clock: VirtualClock;
  listening: Listening;
  certs: CertificateSet;
  orgId: string;
  key: string;
  /** /api/v1 client with the organization's dialer key. */
  api: HttpsClient;
  /** /__admin client with the admin token. */
  admin: HttpsClient;
  /** The dialer API by route id (`dialer.call('agents.login', { body })`), with the organization's key. */
  dialer: RouteClient<DialerRoutes>;
  /** The control API by route id (`control.call('control.calls.create', { params, body })`), with the admin token. */
  control: RouteClient<ControlRoutes>;
  close(): Promise<void>;
};

export async function startTestSimulator(
  opts: { database?: string; clock?: Clock; secrets?: SecretBox; mtls?: boolean; orgId?: string } = {},
): Promise<TestSimulator> {
  const c = await testCertificates();
  const clock = (opts.clock ?? new VirtualClock()) as VirtualClock;
  const sim = createSimulator({
    database: opts.database ?? ':memory:',
    clock,
    secrets: opts.secrets ?? SecretBox.ephemeral(),
    adminToken: ADMIN_TOKEN,
  });
  const orgId = opts.orgId ?? 'acme';
  const key = sim.orgs.exists(orgId)
    ? sim.orgs.revealKey(orgId)
    : sim.orgs.create({
        id: orgId,
        name: 'ACME Cobranças',
        agents: TEST_AGENTS,
        agvs: [
          { extension: '7001', name: 'URA', behaviour: { action: 'transfer', holdSeconds: 10 } },
          { extension: '7002', name: 'URA Desliga', behaviour: { action: 'hangup', holdSeconds: 5 } },
        ],
      }).key;
  sim.start();
  installContractCheck(sim.app, { service: 'dialer' });
  const listening = await serveHttps(sim.app.fetch, {
    port: 0,
    host: '127.0.0.1',
    tls: { key: c.server.keyPem, cert: c.server.certPem, ca: c.ca.certPem, requireClientCert: opts.mtls ?? false },
  });
  const api = new HttpsClient({ baseUrl: listening.url, ca: c.ca.certPem, headers: { 'x-dialer-key': key } });
  const admin = new HttpsClient({
    baseUrl: listening.url,
    ca: c.ca.certPem,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return {
    sim,
    clock,
    listening,
    certs: c,
    orgId,
    key,
    api,
    admin,
    dialer: routeClient(api, dialerRoutes, DIALER_API_BASE),
    control: routeClient(admin, controlRoutes, CONTROL_API_BASE),
    async close() {
      await Promise.all([api.close(), admin.close()]);
      await listening.close();
      sim.close();
    },
  };
}

/** Logs an agent in and makes them available, through the API. */
export async function availableAgent(t: TestSimulator, dialerUser: string): Promise<void> {
  const password = TEST_AGENTS.find((a) => a.dialerUser === dialerUser)?.password ?? '';
  const login = await t.dialer.call('agents.login', { body: { dialerUser, password } });
  if (login.status !== 200) throw new Error(`login of ${dialerUser} failed: ${login.text}`);
  const av = await t.dialer.call('agents.available', { params: { dialerUser } });
  if (av.status !== 200) throw new Error(`available of ${dialerUser} failed: ${av.text}`);
}

/** Every event of the organization so far, in order (read from the log), optionally of one type. */
export function eventsOf(t: TestSimulator): DialerEvent[];
export function eventsOf<T extends DialerEvent['type']>(t: TestSimulator, type: T): Extract<DialerEvent, { type: T }>[];
export function eventsOf(t: TestSimulator, type?: DialerEvent['type']): DialerEvent[] {
  const all = t.sim.events.after(t.orgId, 0, 100_000);
  return type ? all.filter((e) => e.type === type) : all;
}
