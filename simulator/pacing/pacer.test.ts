import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignInput } from '../../contract/campaigns.ts';
import { Pacing } from '../../contract/pacing.ts';
import { availableAgent, eventsOf, startTestSimulator, type TestSimulator } from '../../harness/simulator.ts';
import { generateMailing } from '../mailing/generate.ts';
import { callPlanFor } from './outcome-model.ts';

let t: TestSimulator;
beforeEach(async () => {
  await t?.close();
  t = await startTestSimulator();
});
afterAll(() => t.close());

function campaign(pacing: Partial<Pacing>, leads = 50, extra: Partial<CampaignInput> = {}) {
  const c = t.sim.campaigns.create(t.orgId, {
    name: 'Teste',
    seed: 'pacer-test',
    routeTo: { kind: 'agents' },
    pacing: Pacing.parse(pacing),
    ...extra,
  });
  t.sim.campaigns.addLeads(t.orgId, c.id, generateMailing({ size: leads, seed: 'pacer-leads' }));
  return c;
}

const allAnswered = { answered: 1, busy: 0, no_answer: 0, answering_machine: 0, invalid_number: 0 };
const fixed = (seconds: number) => ({ distribution: 'fixed' as const, seconds });

describe('pacing', () => {
  it('progressive: dials one line per free agent, and answered calls reach the agents', async () => {
    await availableAgent(t, 'ana');
    await availableAgent(t, 'bia');
    const c = campaign({ mode: 'progressive', outcomes: allAnswered, ringTime: fixed(3), talkTime: fixed(60) });
    t.sim.pacer.startCampaign(t.orgId, c.id);
    t.clock.advance(0);
    expect(t.sim.flow.countInState(c.id, 'dialing')).toBe(2);
    t.clock.advance(3_000);
    expect(t.sim.sessions.status(t.orgId, 'ana').state).toBe('in_call');
    expect(t.sim.sessions.status(t.orgId, 'bia').state).toBe('in_call');
    t.clock.advance(60_000);
    expect(t.sim.sessions.status(t.orgId, 'ana').state).toBe('wrap_up');
    expect(eventsOf(t, 'call.ended').filter((e) => e.data.endedBy === 'customer')).toHaveLength(2);
  });

  it('predictive: dials ratio × free agents lines', async () => {
    for (const u of ['ana', 'bia', 'caio']) await availableAgent(t, u);
    const c = campaign({ mode: 'predictive', ratio: 2, ringTime: fixed(10) });
    t.sim.pacer.startCampaign(t.orgId, c.id);
    t.clock.advance(0);
    expect(t.sim.flow.countInState(c.id, 'dialing')).toBe(6);
  });

  it('scripted: dials nothing by itself', async () => {
    await availableAgent(t, 'ana');
    const c = campaign({ mode: 'scripted' });
    t.sim.pacer.startCampaign(t.orgId, c.id);
    t.clock.advance(10_000);
    expect(t.sim.flow.list(t.orgId)).toHaveLength(0);
  });

  it('abandons an answered call when no agent frees in time', async () => {
    await availableAgent(t, 'ana');
    const c = campaign({
      mode: 'predictive',
      ratio: 3,
      outcomes: allAnswered,
      ringTime: fixed(1),
      abandonAfterSeconds: 2,
      tickMs: 60_000,
    });
    t.sim.pacer.startCampaign(t.orgId, c.id);
    t.clock.advance(1_000);
    expect(t.sim.flow.countInState(c.id, 'waiting_agent')).toBe(2);
    t.clock.advance(2_000);
    const ended = eventsOf(t, 'call.ended').map((e) => e.data.outcome);
    expect(ended.filter((o) => o === 'abandoned')).toHaveLength(2);
  });

  it('retries a busy lead after the retry delay, up to maxRetries, then marks it failed', async () => {
    await availableAgent(t, 'ana');
    const busy = { answered: 0, busy: 1, no_answer: 0, answering_machine: 0, invalid_number: 0 };
    const c = campaign(
      { mode: 'progressive', outcomes: busy, ringTime: fixed(1), maxRetries: 2, retryDelaySeconds: 60, tickMs: 1_000 },
      1,
    );
    t.sim.pacer.startCampaign(t.orgId, c.id);
    t.clock.advance(5_000);
    expect(t.sim.campaigns.leads(t.orgId, c.id)[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastOutcome: 'busy',
    });
    t.clock.advance(200_000);
    expect(t.sim.campaigns.leads(t.orgId, c.id)[0]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(eventsOf(t, 'call.ended')).toHaveLength(3);
  });

  it('with a fixed seed, outcome ratios over 4,000 dialled calls match the configured weights', () => {
    const outcomes = { answered: 0.5, busy: 0.15, no_answer: 0.2, answering_machine: 0.1, invalid_number: 0.05 };
    const c = campaign(
      { mode: 'scripted', outcomes, ringTime: fixed(1), maxRetries: 0, abandonAfterSeconds: 0 },
      4_000,
    );
    // Nobody is logged in, so every answered call is abandoned; the others end with their drawn outcome.
    for (const [i, lead] of t.sim.campaigns.takeDueLeads(c.id, 4_000).entries())
      t.sim.flow.dial(t.orgId, c.id, lead, callPlanFor(c.seed, i, c.pacing));
    t.clock.advance(5_000);
    const ended = eventsOf(t, 'call.ended');
    expect(ended).toHaveLength(4_000);
    const share = (o: string) => ended.filter((e) => e.data.outcome === o).length / ended.length;
    expect(Math.abs(share('abandoned') - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(share('busy') - 0.15)).toBeLessThan(0.03);
    expect(Math.abs(share('no_answer') - 0.2)).toBeLessThan(0.03);
    expect(Math.abs(share('answering_machine') - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(share('invalid_number') - 0.05)).toBeLessThan(0.02);
    expect(t.sim.campaigns.get(t.orgId, c.id).leads).toMatchObject({ done: 0, failed: 4_000 });
  });

  it('stopping a campaign stops dialling; calls under way go on', async () => {
    await availableAgent(t, 'ana');
    const c = campaign({ mode: 'progressive', outcomes: allAnswered, ringTime: fixed(2) });
    t.sim.pacer.startCampaign(t.orgId, c.id);
    t.clock.advance(0);
    t.sim.pacer.stopCampaign(t.orgId, c.id);
    t.clock.advance(2_000);
    expect(t.sim.sessions.status(t.orgId, 'ana').state).toBe('in_call');
    expect(t.sim.flow.list(t.orgId)).toHaveLength(1);
  });

  it('routes answered calls of an AGV campaign to the AGV, which hands them back to Omni', async () => {
    const c = campaign({ mode: 'predictive', ratio: 1, outcomes: allAnswered, ringTime: fixed(1) }, 5, {
      routeTo: { kind: 'agv', extension: '7001' },
    });
    await availableAgent(t, 'ana');
    t.sim.pacer.tick(t.orgId, t.sim.campaigns.setStatus(t.orgId, c.id, 'running').id);
    t.clock.advance(1_000);
    expect(t.sim.flow.list(t.orgId, { state: 'agv' })).toHaveLength(1);
    t.clock.advance(10_000);
    expect(eventsOf(t, 'call.agv_transferred')).toHaveLength(1);
  });
});
