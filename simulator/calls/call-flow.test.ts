import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { SecretBox } from '../../core/secrets.ts';
import { generateMailing } from '../mailing/generate.ts';
import { createSimulator, type Simulator } from '../server.ts';
import type { AgentLegEvent, CallDelivery, CallOffer } from './delivery.ts';

/** A phone that only records what rings it (as the SIP edge would record INVITEs sent), and answers when told. */
class RecordingDelivery implements CallDelivery {
  readonly offers: Array<CallOffer & { inTransaction: boolean; report: (e: AgentLegEvent) => void }> = [];
  constructor(private readonly sim: Simulator) {}
  deliver(offer: CallOffer, report: (e: AgentLegEvent) => void): void {
    this.offers.push({ ...offer, inTransaction: this.sim.db.inTransaction, report });
  }
}

let sim: Simulator;
let phone: RecordingDelivery;
const ORG = 'acme';
const lead = () => generateMailing({ size: 1, seed: 'delivery', customFields: [] })[0]!;
const agentState = (user: string) => sim.sessions.runtime(ORG, user).state;

function available(user: string) {
  sim.sessions.login(ORG, user, `senha-${user}`);
  sim.sessions.apply(ORG, user, { type: 'available' });
}

beforeEach(() => {
  sim = createSimulator({ clock: new VirtualClock(), secrets: SecretBox.ephemeral(), adminToken: 't' });
  sim.orgs.create({
    id: ORG,
    name: 'ACME',
    agents: [
      { dialerUser: 'ana', name: 'Ana', extension: '2001', password: 'senha-ana' },
      { dialerUser: 'bia', name: 'Bia', extension: '2002', password: 'senha-bia' },
    ],
    agvs: [],
  });
  sim.start();
  phone = new RecordingDelivery(sim);
  sim.flow.delivery = phone;
});
afterEach(() => sim.close());

describe('call offer delivery', () => {
  it('an offer whose transaction then fails never rings the agent’s phone', () => {
    available('ana');
    expect(() =>
      sim.db.transaction(() => {
        sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted', dialerUser: 'ana' });
        throw new Error('a later step of the same change failed');
      })(),
    ).toThrow('a later step of the same change failed');
    expect(phone.offers).toEqual([]);
    expect(sim.flow.list(ORG)).toEqual([]);
    expect(agentState('ana')).toBe('available');
  });

  it('a committed offer rings the phone once, outside the transaction, with the offered call', () => {
    available('ana');
    const call = sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted', dialerUser: 'ana' });
    expect(phone.offers).toHaveLength(1);
    expect(phone.offers[0]).toMatchObject({
      orgId: ORG,
      dialerUser: 'ana',
      inTransaction: false,
      call: { id: call.id, state: 'offered' },
    });
    expect(call.state).toBe('offered');
  });

  it('offers made by a dispatch inside a larger transaction ring only once it commits', () => {
    const first = sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted' });
    const second = sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted' });
    sim.db.transaction(() => {
      available('ana');
      available('bia');
      expect(sim.flow.dispatch(ORG)).toBe(2);
      expect(phone.offers).toEqual([]);
    })();
    expect(phone.offers.map((o) => [o.call.id, o.dialerUser])).toEqual([
      [first.id, 'ana'],
      [second.id, 'bia'],
    ]);
  });

  it('what the phone reports drives the call: answered connects it, the agent’s hang-up ends it', () => {
    available('ana');
    const call = sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted', dialerUser: 'ana' });
    phone.offers[0]!.report({ type: 'answered' });
    expect(sim.flow.get(ORG, call.id)).toMatchObject({ state: 'connected', dialerUser: 'ana' });
    expect(agentState('ana')).toBe('in_call');
    phone.offers[0]!.report({ type: 'agent_hung_up' });
    expect(sim.flow.get(ORG, call.id)).toMatchObject({ state: 'ended', endedBy: 'agent', outcome: 'answered' });
    expect(agentState('ana')).toBe('wrap_up');
  });

  it('a phone that rejects or never answers sends the agent to wrap-up; a late answer changes nothing', () => {
    available('ana');
    available('bia');
    const rejected = sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted', dialerUser: 'ana' });
    const unanswered = sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted', dialerUser: 'bia' });
    phone.offers[0]!.report({ type: 'rejected', reason: '486 Busy Here' });
    phone.offers[1]!.report({ type: 'ring_timeout' });
    for (const [id, user] of [
      [rejected.id, 'ana'],
      [unanswered.id, 'bia'],
    ] as const) {
      expect(sim.flow.get(ORG, id)).toMatchObject({ state: 'ended', outcome: 'abandoned', endedBy: 'agent' });
      expect(agentState(user)).toBe('wrap_up');
    }
    phone.offers[0]!.report({ type: 'answered' });
    expect(sim.flow.get(ORG, rejected.id).state).toBe('ended');
  });

  it('an offer ended before its turn to ring is not delivered', () => {
    available('ana');
    let callId = '';
    sim.db.transaction(() => {
      callId = sim.flow.scripted(ORG, { lead: lead(), origin: 'scripted', dialerUser: 'ana' }).id;
      sim.flow.hangup(ORG, callId, 'customer');
    })();
    expect(phone.offers).toEqual([]);
    expect(sim.flow.get(ORG, callId)).toMatchObject({ state: 'ended', endedBy: 'customer' });
  });
});
