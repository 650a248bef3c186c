import { generateMailing } from './mailing/generate.ts';
import type { Simulator } from './server.ts';

export const DEMO_ORG_ID = 'demo';

/** The demo organization's dialer accounts; the Omni side's demo users log in with these. */
export const DEMO_AGENTS = [
  { dialerUser: 'agente1', name: 'Ana Souza', extension: '2001', password: 'senha-agente1' },
  { dialerUser: 'agente2', name: 'Bruno Lima', extension: '2002', password: 'senha-agente2' },
  { dialerUser: 'agente3', name: 'Carla Dias', extension: '2003', password: 'senha-agente3' },
] as const;

export const DEMO_AGV = {
  extension: '7001',
  name: 'URA Cobrança',
  behaviour: { action: 'transfer' as const, holdSeconds: 8 },
};

/**
 * Creates the demo organization on first start (kept afterwards): the default pause catalogue, an AGV, three agents
 * and a running progressive campaign with a 500-lead mailing. Returns its id and dialer key.
 */
export function ensureDemoOrganization(sim: Simulator, key?: string): { orgId: string; key: string; created: boolean } {
  if (sim.orgs.exists(DEMO_ORG_ID)) return { orgId: DEMO_ORG_ID, key: sim.orgs.revealKey(DEMO_ORG_ID), created: false };
  const { key: demoKey } = sim.orgs.create({
    id: DEMO_ORG_ID,
    name: 'Demo Cobrança',
    ...(key ? { key } : {}),
    agvs: [DEMO_AGV],
    agents: DEMO_AGENTS.map((a) => ({ ...a })),
  });
  const campaign = sim.campaigns.create(DEMO_ORG_ID, {
    name: 'Cobrança Demo',
    service: 'COBRANCA',
    routeTo: { kind: 'agents' },
    seed: 'demo',
    pacing: {
      mode: 'progressive',
      ratio: 1.5,
      outcomes: { answered: 0.6, busy: 0.1, no_answer: 0.15, answering_machine: 0.1, invalid_number: 0.05 },
      ringTime: { distribution: 'uniform', minSeconds: 2, maxSeconds: 6 },
      talkTime: { distribution: 'lognormal', medianSeconds: 40, sigma: 0.5, minSeconds: 10, maxSeconds: 300 },
      abandonAfterSeconds: 3,
      maxRetries: 2,
      retryDelaySeconds: 120,
      tickMs: 1000,
    },
  });
  sim.campaigns.addLeads(DEMO_ORG_ID, campaign.id, generateMailing({ size: 500, seed: 'demo' }));
  sim.pacer.startCampaign(DEMO_ORG_ID, campaign.id);
  return { orgId: DEMO_ORG_ID, key: demoKey, created: true };
}
