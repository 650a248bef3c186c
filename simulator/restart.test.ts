import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pacing } from '../contract/pacing.ts';
import { VirtualClock } from '../core/clock.ts';
import { SecretBox } from '../core/secrets.ts';
import { availableAgent, startTestSimulator, type TestSimulator } from '../harness/simulator.ts';
import { generateMailing } from './mailing/generate.ts';

let t: TestSimulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('a restart loses nothing', () => {
  it('a call’s talk timer fires at its original time after a restart; calls, dispositions and events persist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsh-restart-'));
    const database = join(dir, 'sim.sqlite');
    const secrets = SecretBox.fromKeyFile(join(dir, 'secret.key'));
    const start = Date.UTC(2026, 10, 24, 12);
    t = await startTestSimulator({ database, secrets, clock: new VirtualClock(start) });
    await availableAgent(t, 'ana');
    await availableAgent(t, 'bia');
    const c = t.sim.campaigns.create(t.orgId, {
      name: 'r',
      seed: 's',
      routeTo: { kind: 'agents' },
      pacing: Pacing.parse({
        mode: 'progressive',
        outcomes: { answered: 1, busy: 0, no_answer: 0, answering_machine: 0, invalid_number: 0 },
        ringTime: { distribution: 'fixed', seconds: 1 },
        talkTime: { distribution: 'fixed', seconds: 60 },
      }),
    });
    t.sim.campaigns.addLeads(t.orgId, c.id, generateMailing({ size: 2, seed: 'r' }));
    t.sim.pacer.startCampaign(t.orgId, c.id);
    t.clock.advance(1_000); // both calls connected at start + 1 s; talk ends at start + 61 s
    const [first] = t.sim.flow.list(t.orgId, { state: 'connected' });
    await t.api.request('POST', `/api/v1/calls/${first!.id}/hangup`);
    await t.api.request('POST', `/api/v1/calls/${first!.id}/disposition`, { json: { tagCode: 'VENDA' } });
    t.sim.pacer.stopCampaign(t.orgId, c.id);
    const eventsBefore = t.sim.events.lastId(t.orgId);
    await t.close();

    // Back 30 s later: the remaining call's talk timer is due 30 s after that.
    const clock = new VirtualClock(start + 31_000);
    t = await startTestSimulator({ database, secrets, clock });
    const [second] = t.sim.flow.list(t.orgId, { state: 'connected' });
    expect(second).toBeDefined();
    expect(t.sim.flow.get(t.orgId, first!.id).disposition).toMatchObject({ tagCode: 'VENDA' });
    expect(t.sim.events.lastId(t.orgId)).toBe(eventsBefore);
    clock.advance(29_999);
    expect(t.sim.flow.get(t.orgId, second!.id).state).toBe('connected');
    clock.advance(1);
    expect(t.sim.flow.get(t.orgId, second!.id)).toMatchObject({ state: 'ended', endedBy: 'customer' });
  });
});
