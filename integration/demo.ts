import type { PauseEntry } from '../contract/organizations.ts';
import { provisionOrganization } from './provision.ts';
import type { Integration } from './server.ts';

export const DEMO_OMNI_ORG = 'demo';

/** The demo logins (documented in the README); agents use the simulator demo's dialer accounts. */
export const DEMO_PASSWORDS = { admin: 'admin-demo-123', supervisor: 'supervisor-demo-123', agents: 'agente-demo-123' };
export const DEMO_OMNI_AGENTS = [
  { username: 'agente1', name: 'Ana Souza', dialerUser: 'agente1', dialerPassword: 'senha-agente1' },
  { username: 'agente2', name: 'Bruno Lima', dialerUser: 'agente2', dialerPassword: 'senha-agente2' },
  { username: 'agente3', name: 'Carla Dias', dialerUser: 'agente3', dialerPassword: 'senha-agente3' },
];

/**
 * Creates the demo organization on the Omni side on first start (kept afterwards), pointed at the demo dialer:
 * its key, server, WebRTC server and certificate, pauses equal to the dialer's catalogue, the campaign's service and
 * the AGV's (ramal 7001), tags, an admin, a supervisor and three agents.
 */
export async function ensureDemoOmni(
  omni: Integration,
  dialer: { url: string; key: string; certificatePem: string; pauses: PauseEntry[] },
): Promise<{ created: boolean }> {
  if (omni.config.organizations.exists(DEMO_OMNI_ORG)) return { created: false };
  await provisionOrganization(omni, {
    orgId: DEMO_OMNI_ORG,
    name: 'Demo Cobrança',
    dialer: {
      key: dialer.key,
      url: dialer.url,
      webrtcUrl: `${dialer.url.replace(/^https:/, 'wss:')}/sip`,
      certificatePem: dialer.certificatePem,
      pauses: dialer.pauses,
    },
    serviceIdentifier: 'COBRANCA',
    agvExtension: '7001',
    agents: DEMO_OMNI_AGENTS,
    passwords: DEMO_PASSWORDS,
  });
  return { created: true };
}

export type DemoAgentsOutcome = {
  /** Logged in and made available now. */
  started: string[];
  /** Left alone, each with why (someone holds the session, the login failed…). */
  skipped: Array<{ username: string; reason: string }>;
};

export type DemoAgentsOptions = {
  /** Whether the dialer has this dialer user logged in; `start` knows it when it runs the dialer too. */
  loggedInAtDialer?: (dialerUser: string) => boolean;
};

/**
 * Whether Omni's own last session of the user lapsed (expired without a logout) while still linked to the dialer:
 * then a dialer login under that user is Omni's own from before, not someone else's.
 */
function lapsedDialerSession(omni: Integration, userId: string): boolean {
  const last = omni.db
    .prepare('SELECT ended_at, dialer_status FROM sessions WHERE user_id = ? ORDER BY created_at DESC LIMIT 1')
    .get(userId) as { ended_at: number | null; dialer_status: string } | undefined;
  return last !== undefined && last.ended_at === null && last.dialer_status === 'connected';
}

/** Why the demo must leave this agent alone at start, or undefined when it may log them in. */
function heldBy(omni: Integration, username: string, o: DemoAgentsOptions): string | undefined {
  const user = omni.config.users.byUsername(DEMO_OMNI_ORG, username);
  if (!user) return 'no such user any more';
  const live = omni.sessions.activeOf(user.id);
  // A person logged in as this agent (or the demo at a previous start, still at work): a new login would end it.
  if (live)
    return (
      `already logged in at Omni since ${new Date(live.createdAt).toISOString()} (by a person, or by the demo at an ` +
      'earlier start); that session is kept'
    );
  const dialerUser = user.dialerUser;
  if (dialerUser && o.loggedInAtDialer?.(dialerUser) && !lapsedDialerSession(omni, user.id))
    return (
      `dialer user ${dialerUser} is logged in at the dialer without an Omni session (someone else holds it); ` +
      `log it out at the dialer, or log in as ${username} to take over`
    );
  return undefined;
}

/**
 * The demo's agents at work: logged in (with the dialer) and available, so calls flow with nobody at the keyboard;
 * each attendance is finalized by auto-tabulation when its 30 s window runs out. Log in as one of them to take over.
 * An agent someone already holds is left alone: a live Omni session (a person testing the agent desktop, kept across
 * a restart) or, when `loggedInAtDialer` tells, a dialer login Omni did not make. A restart never ends their session.
 */
export async function startDemoAgents(omni: Integration, o: DemoAgentsOptions = {}): Promise<DemoAgentsOutcome> {
  const outcome: DemoAgentsOutcome = { started: [], skipped: [] };
  for (const a of DEMO_OMNI_AGENTS) {
    const held = heldBy(omni, a.username, o);
    if (held) {
      outcome.skipped.push({ username: a.username, reason: held });
      continue;
    }
    try {
      const res = await omni.lifecycle.login({
        organization: DEMO_OMNI_ORG,
        username: a.username,
        password: DEMO_PASSWORDS.agents,
      });
      if (res.dialer.status !== 'connected') {
        omni.lifecycle.logout(res.token);
        outcome.skipped.push({ username: a.username, reason: `the dialer refused the login: ${res.dialer.reason}` });
        continue;
      }
      omni.lifecycle.available(res.token);
      outcome.started.push(a.username);
    } catch (err) {
      // e.g. an admin changed the demo password: leave that agent to whoever changed it.
      outcome.skipped.push({ username: a.username, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return outcome;
}
