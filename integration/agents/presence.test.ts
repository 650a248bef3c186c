import { afterEach, describe, expect, it } from 'vitest';
import { startTestPair, type TestPair } from '../../harness/pair.ts';

let p: TestPair;
afterEach(async () => {
  await p?.close();
});

type AgentRow = {
  username: string;
  state: string;
  pause: { name: string } | null;
  unmappedIdStatus: number | null;
  pendingPause: { name: string } | null;
};

async function board(token: string) {
  return (await p.client(token).request<AgentRow[]>('GET', '/api/v1/monitoring/agents')).body;
}

describe('pauses between Omni and the dialer', () => {
  it('a pause the dialer applies by itself maps to the Omni pause with that ID Status', async () => {
    p = await startTestPair();
    const { token } = await p.login('ana');
    await p.client(token).request('POST', '/api/v1/me/available');
    await p.settle();
    // The dialer pauses the agent on its own (its API, not Omni's request).
    await p.dialer.api.request('POST', '/api/v1/agents/ana/pause', { json: { idStatus: 4 } });
    await p.settle();
    const sup = (await p.login('supervisor')).token;
    expect((await board(sup)).find((a) => a.username === 'ana')).toMatchObject({
      state: 'paused',
      pause: { name: 'Treinamento' },
      unmappedIdStatus: null,
    });
  });

  it('an unknown ID Status is shown as an unmapped pause and reported, never guessed', async () => {
    p = await startTestPair();
    await p.dialer.api.request('POST', '/api/v1/pauses', { json: { idStatus: 77, name: 'Ginástica laboral' } });
    const { token } = await p.login('ana');
    await p.client(token).request('POST', '/api/v1/me/available');
    await p.settle();
    await p.dialer.api.request('POST', '/api/v1/agents/ana/pause', { json: { idStatus: 77 } });
    await p.settle();
    const sup = (await p.login('supervisor')).token;
    expect((await board(sup)).find((a) => a.username === 'ana')).toMatchObject({
      state: 'paused',
      pause: null,
      unmappedIdStatus: 77,
    });
    const alerts = await p.client(sup).request<Array<{ code: string }>>('GET', '/api/v1/alerts');
    expect(alerts.body.map((a) => a.code)).toContain('PAUSE_UNMAPPED');
  });

  it('a pause asked during a call is pending until the disposition, then applied', async () => {
    p = await startTestPair();
    const { agent, callId } = await p.agentOnCall('ana');
    const banheiro = p.omni.config.pauses.byName('acme', 'Banheiro')!;
    await agent.request('POST', '/api/v1/me/pause', { json: { pauseId: banheiro.id } });
    await p.settle();
    const sup = (await p.login('supervisor')).token;
    expect((await board(sup)).find((a) => a.username === 'ana')).toMatchObject({
      state: 'in_call',
      pendingPause: { name: 'Banheiro' },
    });
    await p.customerHangsUp(callId);
    const att = p.omni.attendances.byCall(callId)!;
    await agent.request('POST', `/api/v1/attendances/${att.id}/finalize`, { json: { tagCode: 'VENDA' } });
    await p.settle();
    expect((await board(sup)).find((a) => a.username === 'ana')).toMatchObject({
      state: 'paused',
      pause: { name: 'Banheiro' },
      pendingPause: null,
    });
  });
});
