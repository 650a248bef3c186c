import { DEFAULT_PAUSE_CATALOGUE } from '../contract/organizations.ts';
import { type RealClock, VirtualClock } from '../core/clock.ts';
import { HttpsClient } from '../core/https-client.ts';
import type { SecretBox } from '../core/secrets.ts';
import { type Listening, serveHttps } from '../core/serve.ts';
import { type ProvisionedOrganization, provisionOrganization } from '../integration/provision.ts';
import { createIntegration, type Integration } from '../integration/server.ts';
import { installContractCheck } from './contract-check.ts';
import { startTestSimulator, TEST_AGENTS, type TestSimulator } from './simulator.ts';

export const PASSWORDS = { admin: 'admin-password-1', supervisor: 'supervisor-pw-1', agents: 'agent-password-1' };

/** Omni's 'acme' configured for a test dialer's 'acme' (its agents ana, bia, caio; AGV 7001; service COBRANCA). */
export function provisionTestOrganization(
  omni: Integration,
  dialer: { key: string; url: string; certificatePem: string; windowSeconds?: number },
) {
  return provisionOrganization(omni, {
    orgId: 'acme',
    name: 'ACME Cobranças',
    dialer: {
      key: dialer.key,
      url: dialer.url,
      webrtcUrl: `${dialer.url.replace('https:', 'wss:')}/sip`,
      certificatePem: dialer.certificatePem,
      pauses: DEFAULT_PAUSE_CATALOGUE,
    },
    serviceIdentifier: 'COBRANCA',
    agvExtension: '7001',
    agents: TEST_AGENTS.map((a) => ({
      username: a.dialerUser,
      name: a.name,
      dialerUser: a.dialerUser,
      dialerPassword: a.password,
    })),
    passwords: PASSWORDS,
    ...(dialer.windowSeconds ? { windowSeconds: dialer.windowSeconds } : {}),
  });
}

/**
 * For tests and scenarios: a real simulator and a real Omni side, each over HTTPS on an ephemeral port, sharing one
 * virtual clock; the Omni organization 'acme' is configured for the simulator's 'acme' (agents ana, bia, caio).
 */
export type TestPair = {
  /** Virtual unless a RealClock was given (benchmarks). */
  clock: VirtualClock;
  dialer: TestSimulator;
  omni: Integration;
  omniListening: Listening;
  ids: ProvisionedOrganization;
  /** An HTTPS client for the Omni API, logged in as `username` when given. */
  client(token?: string): HttpsClient;
  login(username: string, password?: string): Promise<{ token: string; body: Record<string, unknown> }>;
  /** Lets the event stream, the outbox and routing catch up (they run on real I/O). */
  settle(): Promise<void>;
  /** Logs the agent in, makes them available and has the dialer deliver a scripted call to them. */
  agentOnCall(
    username?: string,
    call?: Record<string, unknown>,
  ): Promise<{ token: string; agent: HttpsClient; callId: string; attendanceId: string }>;
  /** The customer hangs up (the attendance goes to wrap-up). */
  customerHangsUp(callId: string): Promise<void>;
  close(): Promise<void>;
};

export async function startTestPair(
  opts: { windowSeconds?: number; omniDatabase?: string; clock?: VirtualClock | RealClock; secrets?: SecretBox } = {},
): Promise<TestPair> {
  const clock = (opts.clock ?? new VirtualClock()) as VirtualClock;
  const dialer = await startTestSimulator({ clock });
  const omni = createIntegration({
    clock,
    scryptCost: 1024,
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
    ...(opts.omniDatabase ? { database: opts.omniDatabase } : {}),
    outbox: { baseDelayMs: 100, maxDelayMs: 1_000 },
  });
  const ids = await provisionTestOrganization(omni, {
    key: dialer.key,
    url: dialer.listening.url,
    certificatePem: dialer.certs.server.certPem,
    ...(opts.windowSeconds ? { windowSeconds: opts.windowSeconds } : {}),
  });
  omni.start();
  installContractCheck(omni.app, { service: 'omni' });
  const omniListening = await serveHttps(omni.app.fetch, {
    port: 0,
    host: '127.0.0.1',
    tls: { key: dialer.certs.server.keyPem, cert: dialer.certs.server.certPem },
  });
  const clients: HttpsClient[] = [];
  const client = (token?: string) => {
    const c = new HttpsClient({
      baseUrl: omniListening.url,
      ca: dialer.certs.ca.certPem,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
    clients.push(c);
    return c;
  };
  const anon = client();
  const settle = async () => {
    // Wait until the consumer has read every dialer event and the outbox has nothing due.
    const deadline = performance.now() + 15_000; // generous: CI machines are slow and busy
    while (performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
      const caughtUp = omni.consumer.cursor('acme') >= dialer.sim.events.lastId('acme');
      const due = omni.outbox.list({ status: 'pending' }).filter((x) => x.nextAttemptAt <= clock.now()).length;
      if (caughtUp && due === 0) {
        await new Promise((r) => setTimeout(r, 5));
        if (omni.consumer.cursor('acme') >= dialer.sim.events.lastId('acme')) return;
      }
    }
    const pending = omni.outbox.list({ status: 'pending' }).map((x) => `${x.kind} (${x.lastError ?? 'in flight'})`);
    throw new Error(
      `the two sides did not settle: events ${omni.consumer.cursor('acme')}/${dialer.sim.events.lastId('acme')}, ` +
        `consumer ${JSON.stringify(omni.consumer.status('acme'))}, outbox pending: ${pending.join(', ') || 'none'}`,
    );
  };
  const login: TestPair['login'] = async (username, password) => {
    const pw =
      password ??
      (username === 'admin' ? PASSWORDS.admin : username === 'supervisor' ? PASSWORDS.supervisor : PASSWORDS.agents);
    const res = await anon.request<Record<string, unknown> & { token: string }>('POST', '/api/v1/sessions', {
      json: { organization: 'acme', username, password: pw },
    });
    if (res.status !== 201) throw new Error(`login of ${username} failed: ${res.text}`);
    return { token: res.body.token, body: res.body };
  };
  return {
    clock,
    dialer,
    omni,
    omniListening,
    ids,
    client,
    login,
    settle,
    async agentOnCall(username = 'ana', extra = {}) {
      const { token } = await login(username);
      const agent = client(token);
      await agent.request('POST', '/api/v1/me/available');
      await settle();
      const call = await dialer.control.call('control.calls.create', {
        params: { orgId: 'acme' },
        body: { dialerUser: username, ...extra },
      });
      if (call.status !== 201) throw new Error(`scripted call failed: ${call.text}`);
      await settle();
      const att = omni.attendances.byCall(call.body.id);
      if (!att) throw new Error(`call ${call.body.id} did not become an attendance`);
      return { token, agent, callId: call.body.id, attendanceId: att.id };
    },
    async customerHangsUp(callId) {
      await dialer.control.call('control.calls.hangup', { params: { orgId: 'acme', callId } });
      await settle();
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await omniListening.close();
      await omni.close();
      await dialer.close();
    },
  };
}
