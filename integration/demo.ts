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
export function ensureDemoOmni(
  omni: Integration,
  dialer: { url: string; key: string; certificatePem: string; pauses: PauseEntry[] },
): { created: boolean } {
  if (omni.config.organizationExists(DEMO_OMNI_ORG)) return { created: false };
  provisionOrganization(omni, {
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

/**
 * The demo's agents at work: logged in (with the dialer) and available, so calls flow with nobody at the keyboard;
 * each attendance is finalized by auto-tabulation when its 30 s window runs out. Log in as one of them to take over.
 */
export async function startDemoAgents(omni: Integration): Promise<string[]> {
  const started: string[] = [];
  for (const a of DEMO_OMNI_AGENTS) {
    const res = await omni.lifecycle.login({
      organization: DEMO_OMNI_ORG,
      username: a.username,
      password: DEMO_PASSWORDS.agents,
    });
    if (res.dialer.status !== 'connected') {
      omni.log.warn({ agent: a.username, reason: res.dialer.reason }, 'demo agent could not log into the dialer');
      continue;
    }
    omni.lifecycle.available(res.token);
    started.push(a.username);
  }
  return started;
}
